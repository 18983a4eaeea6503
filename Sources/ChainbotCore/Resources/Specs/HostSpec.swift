/// Expectations about the Pi itself (one per host).
public struct HostSpec: Sendable, Hashable, Codable {
    /// Flags reported by `vcgencmd get_throttled`.
    public enum ThrottleFlag: String, Sendable, Hashable, Codable, CaseIterable {
        case underVoltage, frequencyCapped, throttled, softTempLimit
    }

    /// A glob the device-tree model must match, e.g. `Raspberry Pi 4*`.
    public var model: String?
    public var hostname: String?
    /// Warning threshold in °C.
    public var thermalWarnC: Double?
    /// Critical threshold in °C.
    public var thermalCritC: Double?
    /// Flags that count as drift when set.
    public var forbiddenThrottling: [ThrottleFlag]
    /// Whether "has occurred since boot" bits count too, not only "now".
    public var throttlingSinceBoot: Bool
    public var diskMinFreePercent: Double?
    /// Mount points whose free space is checked.
    public var diskPaths: [String]
    public var memoryMinAvailableMB: Int?
    /// `config.txt` keys chainbot owns, by `[section]`.
    public var bootConfig: [BootConfigSection]

    public init(
        model: String? = nil, hostname: String? = nil, thermalWarnC: Double? = nil, thermalCritC: Double? = nil,
        forbiddenThrottling: [ThrottleFlag] = [], throttlingSinceBoot: Bool = false,
        diskMinFreePercent: Double? = nil, diskPaths: [String] = ["/"], memoryMinAvailableMB: Int? = nil,
        bootConfig: [BootConfigSection] = []
    ) {
        self.model = model
        self.hostname = hostname
        self.thermalWarnC = thermalWarnC
        self.thermalCritC = thermalCritC
        self.forbiddenThrottling = forbiddenThrottling
        self.throttlingSinceBoot = throttlingSinceBoot
        self.diskMinFreePercent = diskMinFreePercent
        self.diskPaths = diskPaths
        self.memoryMinAvailableMB = memoryMinAvailableMB
        self.bootConfig = bootConfig
    }
}

/// The chainbot-owned keys of one `config.txt` section (`all`, `pi4`, …).
public struct BootConfigSection: Sendable, Hashable, Codable {
    public var section: String
    /// Keys in manifest order; a key with several values (`dtoverlay`) is written once per value.
    public var entries: [BootConfigEntry]

    public init(section: String, entries: [BootConfigEntry]) {
        self.section = section
        self.entries = entries
    }
}

/// One `key=value` line (or several, for repeatable keys) of `config.txt`.
public struct BootConfigEntry: Sendable, Hashable, Codable {
    public var key: String
    public var values: [String]

    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }
}
