public import ChainbotCore

extension SystemdProvider {
    /// Runs one action: files through the filesystem seam (only unit files and drop-ins under
    /// `/etc/systemd/system`), everything else as `systemctl` argv. Offline, `daemon-reload` does nothing
    /// and only `enable`/`disable` run, as `systemctl --root=ROOT VERB UNIT`.
    public func execute(_ action: StepAction) async throws(ProviderError) {
        switch action {
        case .writeFile(let write):
            try SystemdPaths.validateManagedPath(write.path)
            try fileSystem.write(write)
        case .removeFile(let path):
            try SystemdPaths.validateManagedPath(path)
            try fileSystem.remove(path)
        case .daemonReload:
            // An image has no running manager to reload; it reads the files when it boots.
            guard mode == .live else { return }
            try await systemctl.run(["daemon-reload"], timeout: Systemctl.quickTimeout)
        case .systemctl(let verb, let unit):
            try SystemdPaths.validateUnitName(unit, suffix: ".service")
            try await run(verb, unit)
        case .loadFirewall, .setHostname, .reload, .registerAgent, .deregisterAgent:
            throw ProviderError("the Service provider cannot run '\(action)'")
        }
    }

    private func run(_ verb: SystemctlVerb, _ unit: String) async throws(ProviderError) {
        switch mode {
        case .offline:
            guard verb == .enable || verb == .disable else {
                throw ProviderError(
                    "systemctl \(verb.rawValue) \(unit): cannot be run offline (--root); only enable and disable can")
            }
            try await systemctl.run(
                ["--root=\(fileSystem.root)", verb.rawValue, unit], timeout: Systemctl.quickTimeout)
        case .live:
            let isJob = verb == .start || verb == .restart || verb == .stop
            do throws(ProviderError) {
                // enable/disable would otherwise reload the whole manager per unit; the plan runs one
                // daemon-reload after every enable and disable (the manager's UnitFileState is stale until).
                let noReload = verb == .enable || verb == .disable ? ["--no-reload"] : []
                try await systemctl.run(
                    [verb.rawValue] + noReload + [unit], timeout: isJob ? Systemctl.jobTimeout : Systemctl.quickTimeout)
                if verb == .start || verb == .restart, let failure = await settle.failures([unit])[unit] {
                    throw failure
                }
            } catch {
                guard verb == .start || verb == .restart else { throw error }
                throw await explained(error, unit)
            }
        }
    }

    /// `error` with the last lines of the unit's journal in its detail, when there are any.
    func explained(_ error: ProviderError, _ unit: String) async -> ProviderError {
        let lines = await systemctl.journal(unit)
        guard !lines.isEmpty else { return error }
        var explained = error
        let journal = "last \(lines.count) journal lines of \(unit):\n" + lines.joined(separator: "\n")
        explained.detail = explained.detail.isEmpty ? journal : explained.detail + "\n" + journal
        return explained
    }

    /// Started and restarted units are watched for a moment: `UnitSettle`.
    var settle: UnitSettle { UnitSettle(systemctl: systemctl, reader: reader, minUptimes: minUptimes) }
}
