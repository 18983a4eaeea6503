public import ChainbotCore

extension SystemdProvider {
    /// The actions for one service, in order: file writes and removals, enable or disable, `daemon-reload`,
    /// then start, restart or stop. With `spec` nil the service is pruned using `previous`. Offline, only
    /// file actions and enable/disable are planned. Pure: reads only its arguments.
    public func steps(for request: StepRequest) -> [StepAction] {
        if let spec = request.spec {
            guard let service = Self.service(spec) else { return [] }
            return updateSteps(service, changes: request.changes, observed: request.observed)
        }
        guard let previous = request.previous.flatMap(Self.service) else { return [] }
        return pruneSteps(previous, observed: request.observed)
    }

    private func updateSteps(_ service: ServiceSpec, changes: [FieldChange], observed: ObservedResource) -> [StepAction]
    {
        let unit = service.unitName
        // render and observe already refused a bad name; without a path there is nothing safe to plan.
        guard let unitPath = try? SystemdPaths.unitFile(unit) else { return [] }
        let files = fileSteps(unit, unitPath: unitPath, changes: changes)
        var actions = files.actions
        let installChanged = files.installChanged
        let filesChanged = !actions.isEmpty
        let fileActions = actions.count

        if installChanged, service.enabled, !Self.install(service).isStatic {
            // `disable` removes every link to the unit, old targets' included, so this pair re-links it
            // under the new [Install] targets (a lone `enable` would leave the old links behind).
            actions += [.systemctl(.disable, unit: unit), .systemctl(.enable, unit: unit)]
        } else if let change = changes.first(where: { $0.facet == ServiceFacets.enabled }) {
            switch change.to {
            case ServiceFacets.isEnabled:
                actions.append(.systemctl(.enable, unit: unit))
            case ServiceFacets.isDisabled, ServiceFacets.isStatic:
                // A unit that lost its [Install] section is `static` but keeps its old links until disabled.
                let linked = ![.absent, ServiceFacets.isDisabled, ServiceFacets.isStatic].contains(change.from)
                if linked { actions.append(.systemctl(.disable, unit: unit)) }
            default: break
            }
        }
        // `enable --no-reload`/`disable --no-reload` change the links on disk, but the manager keeps
        // reporting the old UnitFileState until it reloads: the one daemon-reload comes after them, so
        // the next observation sees the fix (and after the files, so a start runs the new unit).
        let enablementChanged = actions.count > fileActions
        let status = observed.payload?.get(UnitObservation.self) ?? UnitObservation()
        if mode == .live, filesChanged || enablementChanged || status.needsDaemonReload {
            actions.append(.daemonReload)
        }

        guard mode == .live else { return actions }
        let running = observed.facets[ServiceFacets.state] == ServiceFacets.running
        switch service.state {
        case .running where !running:
            if status.failed { actions.append(.systemctl(.resetFailed, unit: unit)) }
            actions.append(.systemctl(.start, unit: unit))
        case .running where filesChanged:
            actions.append(.systemctl(.restart, unit: unit))
        case .stopped where running:
            actions.append(.systemctl(.stop, unit: unit))
        default: break
        }
        return actions
    }

    /// The unit file and drop-in writes and removals the changes ask for, and whether the unit's
    /// `[Install]` section changed with them.
    private func fileSteps(_ unit: String, unitPath: String, changes: [FieldChange]) -> (
        actions: [StepAction], installChanged: Bool
    ) {
        var actions: [StepAction] = []
        var installChanged = false
        if let change = changes.first(where: { $0.facet == ServiceFacets.unitFile }), case .text(let text) = change.to {
            actions.append(.writeFile(FileWrite(path: unitPath, content: Array(text.utf8), mode: 0o644)))
            if case .text(let old) = change.from {
                installChanged = InstallSection(parsing: old) != InstallSection(parsing: text)
            }
        }
        let dropInChanges = changes.compactMap { change in
            ServiceFacets.dropInFileName(of: change.facet).map { (fileName: $0, change: change) }
        }
        for (fileName, change) in dropInChanges.sorted(by: { $0.fileName < $1.fileName }) {
            guard let path = try? SystemdPaths.dropInFile(unit: unit, fileName: fileName) else { continue }
            switch change.to {
            case .text(let text):
                actions.append(.writeFile(FileWrite(path: path, content: Array(text.utf8), mode: 0o644)))
            case .absent: actions.append(.removeFile(path: path))
            case .word, .secret: continue
            }
        }
        return (actions, installChanged)
    }

    /// Stop, disable, remove the drop-ins `previous` named and the unit file, reload; each only when the
    /// observation does not say it is already so.
    private func pruneSteps(_ previous: ServiceSpec, observed: ObservedResource) -> [StepAction] {
        let unit = previous.unitName
        guard let unitPath = try? SystemdPaths.unitFile(unit) else { return [] }
        var actions: [StepAction] = []
        if mode == .live, observed.facets[ServiceFacets.state] == ServiceFacets.running {
            actions.append(.systemctl(.stop, unit: unit))
        }
        let linked = observed.facets[ServiceFacets.enabled] == ServiceFacets.isEnabled
        if linked { actions.append(.systemctl(.disable, unit: unit)) }
        var removals: [StepAction] = []
        let fileNames = Set(previous.dropIns.compactMap { try? SystemdPaths.dropInFileName($0.name) })
        for fileName in fileNames.sorted() where observed.facets[ServiceFacets.dropIn(fileName)] != .absent {
            if let path = try? SystemdPaths.dropInFile(unit: unit, fileName: fileName) {
                removals.append(.removeFile(path: path))
            }
        }
        if observed.facets[ServiceFacets.unitFile] != .absent { removals.append(.removeFile(path: unitPath)) }
        actions += removals
        if mode == .live, linked || !removals.isEmpty { actions.append(.daemonReload) }
        return actions
    }
}
