import ChainbotCore

/// The `[Install]` section of a unit: which units' `.wants`/`.requires` folders `systemctl enable` links it
/// into, and whether it can be enabled at all (a unit without install settings is `static`).
struct InstallSection: Sendable, Hashable {
    /// How an install target pulls the unit in: the name of the folder suffix (`multi-user.target.wants`).
    enum Relation: String, Sendable, Hashable {
        case wants
        case requires
    }

    /// One unit that pulls this one in, from `WantedBy=` or `RequiredBy=`.
    struct Target: Sendable, Hashable {
        var unit: String
        var relation: Relation
    }

    /// The targets in the order written; repeated names appear once.
    var targets: [Target]
    /// True when `Alias=` or `Also=` is set, which also makes a unit enable-able.
    var hasOtherInstallSettings: Bool

    init(targets: [Target], hasOtherInstallSettings: Bool = false) {
        self.targets = targets
        self.hasOtherInstallSettings = hasOtherInstallSettings
    }

    /// The section of a structured unit.
    init(_ unit: ServiceUnit) {
        self.init(targets: Self.unique(unit.wantedBy.map { Target(unit: $0, relation: .wants) }))
    }

    /// Parses the `[Install]` section out of unit text (comments, other sections and unknown keys ignored;
    /// an empty assignment such as `WantedBy=` clears the list, as in systemd).
    init(parsing text: String) {
        var wantedBy: [String] = []
        var requiredBy: [String] = []
        var other = false
        var inInstall = false
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                inInstall = line.hasPrefix("[Install]")
                continue
            }
            guard inInstall, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingBlanks()
            let words = line[line.index(after: equals)...].split { $0 == " " || $0 == "\t" || $0 == "\r" }.map(
                String.init)
            switch key {
            case "WantedBy": if words.isEmpty { wantedBy = [] } else { wantedBy += words }
            case "RequiredBy": if words.isEmpty { requiredBy = [] } else { requiredBy += words }
            case "Alias", "Also": other = other || !words.isEmpty
            default: break
            }
        }
        let targets =
            wantedBy.map { Target(unit: $0, relation: .wants) }
            + requiredBy.map { Target(unit: $0, relation: .requires) }
        self.init(targets: Self.unique(targets), hasOtherInstallSettings: other)
    }

    /// True when `systemctl enable` has nothing to do, so systemd reports the unit as `static`.
    var isStatic: Bool { targets.isEmpty && !hasOtherInstallSettings }

    private static func unique(_ targets: [Target]) -> [Target] {
        var seen: Set<Target> = []
        return targets.filter { seen.insert($0).inserted }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingBlanks() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
