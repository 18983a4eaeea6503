import ChainbotCore
import Glibc

/// The Host's observation-only facets — model, temperature, throttling, free disk, available memory — and
/// the health they add up to.
///
/// Each facet's desired value states the expectation (`below 70 °C`). Apply changes none of them, so a
/// reading that was made is observed as that same text whether it holds or not: a crossed threshold is
/// health — Degraded, with the measurement (`temperature 82.0 °C at or above warn 70 °C`) — never a change
/// the plan says apply would make. A reading chainbot cannot make (no thermal zone, no vcgencmd) is
/// *unobserved* with the reason: neither equal nor a change, so the Host's sync is Unknown.
struct HostConditions {
    static let model = "model"
    static let temperature = "temperature"
    static let throttling = "throttling"
    static let throttlingSinceBoot = "throttling since boot"
    static let memory = "memory available"

    static func disk(_ path: String) -> String { "disk free \(path)" }

    /// Observed facets by name: the desired text of every condition whose reading was made.
    private(set) var facets: [String: FacetValue] = [:]
    /// One phrase per crossed threshold, in facet order (`temperature 82.0 °C at or above warn 70 °C`).
    private(set) var crossed: [String] = []
    /// Each reading that could not be made, in facet order: its facet and how the health names it (`disk /`).
    private var unread: [(facet: String, phrase: String)] = []
    /// The facets whose reading could not be made, with why (`no /proc/device-tree/model`).
    private(set) var unobserved: [String: String] = [:]

    /// The desired facets of `spec`, in display order.
    static func desired(_ spec: HostSpec) -> [Facet] {
        var facets: [Facet] = []
        if let pattern = spec.model { facets.append(Facet(model, .word(pattern))) }
        if let threshold = spec.thermalWarnC ?? spec.thermalCritC {
            facets.append(Facet(temperature, .word("below \(number(threshold)) °C")))
        }
        if !spec.forbiddenThrottling.isEmpty {
            facets.append(Facet(spec.throttlingSinceBoot ? throttlingSinceBoot : throttling, .word("none")))
        }
        if let minimum = spec.diskMinFreePercent {
            for path in spec.diskPaths { facets.append(Facet(disk(path), .word("at least \(number(minimum))% free"))) }
        }
        if let minimum = spec.memoryMinAvailableMB { facets.append(Facet(memory, .word("at least \(minimum) MB"))) }
        return facets
    }

    /// Compares `hardware` with every condition `spec` sets.
    init(spec: HostSpec, hardware: PiHardware) {
        let desired = Dictionary(uniqueKeysWithValues: Self.desired(spec).map { ($0.name, $0.value) })
        if let pattern = spec.model { checkModel(pattern, hardware.model, desired) }
        if spec.thermalWarnC != nil || spec.thermalCritC != nil {
            checkTemperature(spec, hardware.maximumCelsius, desired)
        }
        if !spec.forbiddenThrottling.isEmpty { checkThrottling(spec, hardware) }
        if let minimum = spec.diskMinFreePercent {
            for path in spec.diskPaths {
                let name = Self.disk(path)
                guard let space = hardware.disks.first(where: { $0.path == path }) else {
                    cannotRead(name, "disk \(path)", why: "cannot measure \(path) with statvfs")
                    continue
                }
                let free = space.availablePercent
                facets[name] = desired[name]
                if free < minimum {
                    crossed.append("disk \(path) \(Self.decimal(free))% free, below \(Self.number(minimum))%")
                }
            }
        }
        if let minimum = spec.memoryMinAvailableMB {
            if let available = hardware.memory?.availableMB {
                facets[Self.memory] = desired[Self.memory]
                if available < minimum {
                    crossed.append("memory \(available) MB available, below \(minimum) MB")
                }
            } else {
                cannotRead(Self.memory, "memory", why: "no MemAvailable in /proc/meminfo")
            }
        }
    }

    private mutating func checkModel(_ pattern: String, _ found: String?, _ desired: [String: FacetValue]) {
        guard let found else {
            cannotRead(Self.model, "model", why: "no /proc/device-tree/model")
            return
        }
        facets[Self.model] = desired[Self.model]
        if fnmatch(pattern, found, 0) != 0 {
            crossed.append("model '\(found)' does not match '\(pattern)'")
        }
    }

    private mutating func checkTemperature(_ spec: HostSpec, _ celsius: Double?, _ desired: [String: FacetValue]) {
        guard let celsius else {
            cannotRead(Self.temperature, "temperature", why: "no readable /sys/class/thermal/thermal_zone*/temp")
            return
        }
        let reading = "\(Self.decimal(celsius)) °C"
        facets[Self.temperature] = desired[Self.temperature]
        if let critical = spec.thermalCritC, celsius >= critical {
            crossed.append("temperature \(reading) at or above critical \(Self.number(critical)) °C")
        } else if let warn = spec.thermalWarnC, celsius >= warn {
            crossed.append("temperature \(reading) at or above warn \(Self.number(warn)) °C")
        }
    }

    private mutating func checkThrottling(_ spec: HostSpec, _ hardware: PiHardware) {
        let name = spec.throttlingSinceBoot ? Self.throttlingSinceBoot : Self.throttling
        guard let status = hardware.throttling else {
            cannotRead(name, "throttling", why: hardware.throttlingUnavailable ?? "vcgencmd gave no answer")
            return
        }
        let forbidden = HostSpec.ThrottleFlag.allCases.filter { spec.forbiddenThrottling.contains($0) }
        let now = forbidden.filter(status.isActive)
        let since = spec.throttlingSinceBoot ? forbidden.filter { status.hasOccurred($0) && !status.isActive($0) } : []
        facets[name] = .word("none")
        if !now.isEmpty { crossed.append("throttling now: " + now.map(\.rawValue).joined(separator: ", ")) }
        if !since.isEmpty { crossed.append("throttling since boot: " + since.map(\.rawValue).joined(separator: ", ")) }
    }

    /// Records a reading that could not be made: `facet` is unobserved with `why`, and the health says
    /// `PHRASE unknown (WHY)`.
    private mutating func cannotRead(_ facet: String, _ phrase: String, why: String) {
        unobserved[facet] = why
        unread.append((facet, phrase))
    }

    /// One phrase per reading that could not be made: `temperature unknown (no readable …)`.
    var unknowns: [String] {
        unread.map { "\($0.phrase) unknown (\(unobserved[$0.facet] ?? "not read"))" }
    }

    /// Gives the unobserved facets among `names` the reason `why` (offline: what an image cannot show)
    /// instead of the one the failed reading gave; the health says it too.
    mutating func notMeasurable(_ names: Set<String>, why: (String) -> String) {
        for name in names where unobserved[name] != nil { unobserved[name] = why(name) }
    }

    /// Degraded with every crossed threshold; Unknown when only readings are missing; Progressing while a
    /// boot config change waits for a reboot; Healthy otherwise.
    func health(rebootRequired: String?) -> (Health, String?) {
        let reboot = rebootRequired.map { [$0] } ?? []
        if !crossed.isEmpty { return (.degraded, (crossed + unknowns + reboot).joined(separator: "; ")) }
        if !unknowns.isEmpty { return (.unknown, (unknowns + reboot).joined(separator: "; ")) }
        if let rebootRequired { return (.progressing, rebootRequired) }
        return (.healthy, nil)
    }

    /// A threshold as written: `70`, `12.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A measurement with one decimal: `82.0`, `3.0`; a reading no Int holds in tenths (a /sys file saying
    /// `1e300`, `nan`) as Swift writes it.
    static func decimal(_ value: Double) -> String {
        let scaled = (value * 10).rounded()
        guard let tenths = Int(exactly: scaled) else { return String(value) }
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }
}
