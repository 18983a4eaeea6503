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
            let isJob = verb == .start || verb == .stop || verb == .restart
            do {
                // enable/disable would otherwise reload the whole manager per unit; the plan runs one
                // daemon-reload after every enable and disable (the manager's UnitFileState is stale until).
                let noReload = verb == .enable || verb == .disable ? ["--no-reload"] : []
                try await systemctl.run(
                    [verb.rawValue] + noReload + [unit], timeout: isJob ? Systemctl.jobTimeout : Systemctl.quickTimeout)
                if verb == .start || verb == .restart { try await verifyRunning(unit) }
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

    /// `systemctl start` returns once the job is queued or the process is forked; a service that dies at
    /// once (a crash on start-up, a missing interpreter) only shows in its state. Watches the unit for a
    /// short settle time and fails the step when it lands in `failed` or an auto-restart loop.
    private func verifyRunning(_ unit: String) async throws(ProviderError) {
        var steadyChecks = 0
        for _ in 0..<Self.settleChecks {
            try? await Task.sleep(for: Self.settleInterval)
            let state = try await systemctl.run(
                ["show", "--property=ActiveState,SubState,Result,ExecMainStatus", unit], timeout: Systemctl.quickTimeout
            )
            var properties: [String: String] = [:]
            for line in state.output.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                properties[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            let active = properties["ActiveState"] ?? ""
            let sub = properties["SubState"] ?? ""
            if active == "failed" || sub == "auto-restart" {
                let result =
                    properties["Result"].map { " (\($0), status \(properties["ExecMainStatus"] ?? "?"))" } ?? ""
                throw ProviderError("\(unit) failed right after starting\(result)", retryable: true)
            }
            steadyChecks = active == "active" ? steadyChecks + 1 : 0
            if steadyChecks >= 2 { return }
        }
    }

    /// How often and how many times a started unit is checked (at most 1.5 s, usually 0.2 s).
    static let settleChecks = 15
    static let settleInterval: Duration = .milliseconds(100)
}
