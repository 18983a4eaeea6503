import ChainbotCore

/// Keeps held resources (`chainbot suspend`) unchanged by every step of the plan: their own, and any
/// other resource's step that would reach them — a Port restarting its held owner, a ConfigFile's
/// `notify`, a shared step (the firewall table, Watchtower's targets file) a held resource would also need.
struct Holds {
    /// Why each held resource is held: `suspended until …`.
    let reasons: [ResourceID: String]
    /// The units of held Services.
    private let units: [String: ResourceID]
    /// Shared steps a held resource would have asked for, with that resource.
    private let shared: [(StepAction, ResourceID)]

    /// `wouldRun` holds every resource's actions before holds apply (the held ones' too); `desired` has
    /// the held resources.
    init(_ reasons: [ResourceID: String], desired: [Resource], wouldRun: [ResourceID: [StepAction]]) {
        self.reasons = reasons
        var units: [String: ResourceID] = [:]
        for resource in desired where reasons[resource.id] != nil {
            if case .service(let service) = resource.spec { units[service.unitName] = resource.id }
        }
        self.units = units
        var shared: [(StepAction, ResourceID)] = []
        for (id, actions) in wouldRun.sorted(by: { $0.key < $1.key }) where reasons[id] != nil {
            for action in actions where action.runsOncePerPlan && action != .daemonReload {
                shared.append((action, id))
            }
        }
        self.shared = shared
    }

    var isEmpty: Bool { reasons.isEmpty }

    /// The held resource `action` would change, if any.
    func holder(of action: StepAction) -> ResourceID? {
        switch action {
        case .systemctl(_, let unit):
            if let id = units[unit] { return id }
        case .reload(let argv):
            // A reload command that names a held unit (`systemctl try-reload-or-restart watchtower.service`).
            if let id = argv.dropFirst().lazy.compactMap({ units[$0] ?? units[$0 + ".service"] }).first { return id }
        default: break
        }
        return shared.first { Self.sameTarget($0.0, action) }?.1
    }

    /// `actions` without those that would change a held resource; each one left out becomes a note.
    func filter(_ actions: [StepAction], notes: inout [String]) -> [StepAction] {
        if isEmpty { return actions }
        return actions.filter { action in
            guard let holder = holder(of: action) else { return true }
            notes.append(note(holder, leavesOut: action))
            return false
        }
    }

    /// `held: Service/web is suspended until …; systemctl restart web.service not run`.
    func note(_ holder: ResourceID, leavesOut action: StepAction) -> String {
        "held: \(holder) is \(reasons[holder] ?? "suspended"); \(action) not run"
    }

    /// Two shared steps touch the same thing: any two firewall loads (one table), writes or removals of one
    /// path, the same reload.
    private static func sameTarget(_ held: StepAction, _ other: StepAction) -> Bool {
        switch (held, other) {
        case (.loadFirewall, .loadFirewall): true
        case (.writeFile(let a), .writeFile(let b)): a.path == b.path
        case (.writeFile(let a), .removeFile(let path)), (.removeFile(let path), .writeFile(let a)): a.path == path
        default: held == other
        }
    }
}
