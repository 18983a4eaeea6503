import ChainbotCore

/// One unit's block of `systemctl show` output, and what chainbot reads from it.
struct UnitStatus: Sendable, Hashable {
    /// The properties asked for, in systemd's spelling.
    static let properties = [
        "Id", "LoadState", "ActiveState", "SubState", "UnitFileState", "NeedDaemonReload", "FragmentPath",
        "DropInPaths", "ExecMainStatus", "Result",
    ]

    /// Every `Key=value` line of the block; a property systemd did not print is missing.
    var values: [String: String]

    init(_ values: [String: String] = [:]) {
        self.values = values
    }

    var id: String? { values["Id"] }
    var loadState: String { values["LoadState"] ?? "" }
    var activeState: String { values["ActiveState"] ?? "" }
    var subState: String { values["SubState"] ?? "" }
    var unitFileState: String { values["UnitFileState"] ?? "" }
    var needsDaemonReload: Bool { values["NeedDaemonReload"] == "yes" }
    var result: String { values["Result"] ?? "" }
    var execMainStatus: String { values["ExecMainStatus"] ?? "" }

    /// False when systemd knows no unit file for the name (`LoadState=not-found`) or printed no load state.
    var isFound: Bool { !loadState.isEmpty && loadState != "not-found" }

    /// The `enabled` facet: `enabled`/`enabled-runtime` → enabled, `masked`/`masked-runtime` → masked,
    /// other states (`disabled`, `static`, `indirect`, …) as systemd spells them; absent when not found.
    var enabled: FacetValue {
        guard isFound else { return .absent }
        switch unitFileState {
        case "": return .absent
        case "enabled", "enabled-runtime": return ServiceFacets.isEnabled
        case "masked", "masked-runtime": return ServiceFacets.isMasked
        default: return .word(unitFileState)
        }
    }

    /// The `state` facet: `active`, `reloading`, `activating` → running; anything else → stopped;
    /// absent when not found.
    var state: FacetValue {
        guard isFound else { return .absent }
        switch activeState {
        case "active", "reloading", "activating": return ServiceFacets.running
        default: return ServiceFacets.stopped
        }
    }

    /// Health from the load and active states, with the reason shown to people.
    var health: (Health, reason: String?) {
        switch loadState {
        case "": return (.unknown, "systemctl show did not report the unit")
        case "not-found": return (.missing, "not found")
        case "masked": return (.degraded, "masked")
        case "loaded": break
        default: return (.degraded, "load: \(loadState)")
        }
        switch activeState {
        case "active": return (.healthy, subState.isEmpty ? "active" : "active (\(subState))")
        case "reloading": return (.healthy, "reloading")
        case "activating", "deactivating":
            return (.progressing, subState.isEmpty ? activeState : "\(activeState) (\(subState))")
        case "failed":
            var reason = "failed: " + (result.isEmpty ? "unknown result" : result)
            if !execMainStatus.isEmpty, execMainStatus != "0" { reason += " (status \(execMainStatus))" }
            return (.degraded, reason)
        case "inactive": return (.unknown, "inactive")
        case "": return (.unknown, "no active state reported")
        default: return (.unknown, activeState)
        }
    }

    /// What step planning needs besides the facets.
    var observation: UnitObservation {
        UnitObservation(needsDaemonReload: needsDaemonReload, failed: activeState == "failed")
    }
}
