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
            let isJob = verb == .start || verb == .stop || verb == .restart
            do {
                try await systemctl.run(
                    [verb.rawValue, unit], timeout: isJob ? Systemctl.jobTimeout : Systemctl.quickTimeout)
            } catch {
                guard verb == .start || verb == .restart else { throw error }
                let lines = await systemctl.journal(unit)
                guard !lines.isEmpty else { throw error }
                var explained = error
                let journal = "last \(lines.count) journal lines of \(unit):\n" + lines.joined(separator: "\n")
                explained.detail = explained.detail.isEmpty ? journal : explained.detail + "\n" + journal
                throw explained
            }
        }
    }
}
