public import ChainbotCore

extension HostProvider {
    /// The writes and the live host-name change that bring `observed` to the spec; conditions get none.
    ///
    /// A changed host name writes `/etc/hostname` and `/etc/hosts` (each only when it differs) and, live,
    /// sets the running name. A changed boot config key rewrites `config.txt` with every other byte kept,
    /// then (live) writes the reboot-required marker: the firmware reads the file only at boot, and
    /// chainbot never reboots. A pruned Host changes nothing.
    public func steps(for request: StepRequest) -> [StepAction] {
        guard case .host(let host) = request.spec else { return [] }
        let changed = Set(request.changes.map(\.facet))
        guard let files = request.observed.payload?.get(HostFiles.self) else { return [] }
        var actions: [StepAction] = []
        if let name = host.hostname, Self.hostnameProblem(name) == nil {
            if changed.contains(Self.hostnameFacet) {
                actions.append(
                    .writeFile(
                        FileWrite(
                            path: "/etc/hostname", content: Array("\(name)\n".utf8), mode: files.hostnameMode ?? 0o644)
                    ))
            }
            if changed.contains(Self.hostsFacet) {
                let hosts = files.hosts ?? HostFiles.File(path: "/etc/hosts")
                let content = EtcHosts.edited(hosts.bytes, hostname: name, previous: files.hostname)
                actions.append(.writeFile(FileWrite(path: "/etc/hosts", content: content, mode: hosts.mode ?? 0o644)))
            }
            if mode == .live, changed.contains(Self.runningHostnameFacet) { actions.append(.setHostname(name)) }
        }
        if changed.contains(where: { $0.hasPrefix("boot config ") }), let file = files.bootConfig {
            let edited = ConfigTxt.edited(file.bytes, applying: host.bootConfig)
            if edited.changed || file.bytes == nil {
                // On the FAT boot partition every file has the mount's mode (0755 by default) and a chmod
                // to anything else fails: keep the file's own mode.
                actions.append(.writeFile(FileWrite(path: file.path, content: edited.bytes, mode: file.mode ?? 0o755)))
                if mode == .live {
                    let note = "\(file.path) changed; the firmware reads it at the next boot"
                    actions.append(.writeFile(FileWrite(path: Self.rebootMarker, content: Array("\(note)\n".utf8))))
                }
            }
        }
        return actions
    }

    /// Writes one of the files a Host owns, or sets the running host name (live only; see
    /// `setRunningHostname`).
    public func execute(_ action: StepAction) async throws(ProviderError) {
        switch action {
        case .writeFile(let write):
            guard Self.writablePaths.contains(write.path) else {
                throw ProviderError("the Host provider does not write \(write.path)")
            }
            try fileSystem.write(write)
        case .setHostname(let name):
            try Self.validateHostname(name)
            guard mode == .live else {
                throw ProviderError("set hostname \(name): cannot be done offline (--root); /etc/hostname is written")
            }
            try await setRunningHostname(name)
        case .removeFile, .daemonReload, .systemctl, .loadFirewall, .reload, .registerAgent, .deregisterAgent:
            throw ProviderError("the Host provider cannot run '\(action)'")
        }
    }

    /// Asks systemd-hostnamed (`hostnamectl set-hostname NAME`, after /etc/hostname is written, so the
    /// static and the kernel's name agree), which needs no CAP_SYS_ADMIN here; where hostnamed cannot be
    /// reached (no dbus, no hostnamectl) `hostname NAME` sets the kernel's name itself. A failure of both
    /// names both commands and what they said.
    private func setRunningHostname(_ name: String) async throws(ProviderError) {
        var failures: [String] = []
        for invocation in [
            CommandInvocation("hostnamectl", ["set-hostname", name], timeout: .seconds(10)),
            CommandInvocation("hostname", [name], timeout: .seconds(10)),
        ] {
            do {
                let result = try await runner.run(invocation)
                if result.succeeded { return }
                failures.append(
                    "'\(invocation)' failed (\(result.termination)): "
                        + HostText.trimmed(result.errorOutput + result.output))
            } catch {
                failures.append("\(error)")
            }
        }
        throw ProviderError("cannot set the hostname to \(name)", detail: failures.joined(separator: "\n"))
    }

    /// The only paths a Host step may write.
    static let writablePaths: Set<String> = Set(bootConfigPaths + ["/etc/hostname", "/etc/hosts", rebootMarker])
}
