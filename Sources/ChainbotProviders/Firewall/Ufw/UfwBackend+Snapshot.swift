import ChainbotCore

extension UfwBackend {
    /// What `restore` needs to put UFW back: the user rule files' bytes, the policy and whether it was enabled.
    public struct Snapshot: Sendable, Hashable {
        /// `/etc/ufw/user.rules` then `/etc/ufw/user6.rules`, byte for byte.
        public var ruleFiles: [[UInt8]]
        public var policy: UfwPolicy
        public var active: Bool

        public init(ruleFiles: [[UInt8]], policy: UfwPolicy, active: Bool) {
            self.ruleFiles = ruleFiles
            self.policy = policy
            self.active = active
        }
    }

    /// Copies the user rule files and reads the policy and state, before an apply.
    public func snapshot() async throws(ProviderError) -> Snapshot {
        let observed = try await observe()
        var files: [[UInt8]] = []
        for path in Self.ruleFiles { files.append(try await read(path)) }
        return Snapshot(ruleFiles: files, policy: observed.policy, active: observed.active)
    }

    /// Puts UFW back as `snapshot` found it: rewrites the user rule files, sets the default incoming policy,
    /// then `ufw reload` (or `ufw --force enable` / `ufw disable` when the state differs).
    public func restore(_ snapshot: Snapshot) async throws(ProviderError) {
        guard snapshot.ruleFiles.count == Self.ruleFiles.count else {
            throw ProviderError("cannot restore ufw: the snapshot holds \(snapshot.ruleFiles.count) rule files")
        }
        for (path, bytes) in zip(Self.ruleFiles, snapshot.ruleFiles) { try await write(path, bytes) }
        let status = try await observe()
        // `ufw default` reloads an active firewall itself, with the rule files just written.
        if status.policy != snapshot.policy { try await ufw(["default", snapshot.policy.rawValue, "incoming"]) }
        switch (snapshot.active, status.active) {
        case (true, true): if status.policy == snapshot.policy { try await ufw(["reload"]) }
        case (true, false): try await ufw(["--force", "enable"])
        case (false, true): try await ufw(["disable"])
        case (false, false): break
        }
    }
}
