import ChainbotCore

/// The names and words of the facets a Service has, shared by rendering, observing and step planning.
enum ServiceFacets {
    /// The unit file's text.
    static let unitFile = "unit file"
    /// `enabled`, `disabled`, `static`, `masked` (or another `UnitFileState` word).
    static let enabled = "enabled"
    /// `running` or `stopped`; live mode only.
    static let state = "state"

    static let running = FacetValue.word("running")
    static let stopped = FacetValue.word("stopped")
    static let isEnabled = FacetValue.word("enabled")
    static let isDisabled = FacetValue.word("disabled")
    static let isStatic = FacetValue.word("static")
    static let isMasked = FacetValue.word("masked")
    /// A unit file or drop-in that is a link to `/dev/null` (`systemctl mask`): not text to read; writing
    /// the desired file over it unmasks the unit.
    static let maskedFile = FacetValue.word("(masked: a link to /dev/null)")

    private static let dropInPrefix = "drop-in "

    /// The facet of one drop-in file: `drop-in limits.conf`.
    static func dropIn(_ fileName: String) -> String { dropInPrefix + fileName }

    /// The drop-in file name of a facet name, or nil when the facet is not a drop-in.
    static func dropInFileName(of facet: String) -> String? {
        facet.hasPrefix(dropInPrefix) ? String(facet.dropFirst(dropInPrefix.count)) : nil
    }
}

/// What a Service's step planning reads from `systemctl show` besides the facets: the observation's
/// payload.
struct UnitObservation: Sendable, Hashable {
    /// systemd says a unit file or drop-in changed on disk since it last loaded it (`NeedDaemonReload=yes`).
    var needsDaemonReload = false
    /// The unit is in the `failed` state, which `systemctl reset-failed` clears before a start.
    var failed = false
}
