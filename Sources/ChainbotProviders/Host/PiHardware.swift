/// What the Pi reports about itself at one moment; a field is nil when its file or command is missing.
public struct PiHardware: Sendable, Hashable {
    /// One `/sys/class/thermal/thermal_zoneN`.
    public struct ThermalZone: Sendable, Hashable {
        /// The directory name, e.g. `thermal_zone0`.
        public var name: String
        /// The zone's `type`, e.g. `cpu-thermal`, when present.
        public var type: String?
        /// Degrees Celsius (the file holds millidegrees).
        public var celsius: Double

        public init(name: String, type: String?, celsius: Double) {
            self.name = name
            self.type = type
            self.celsius = celsius
        }
    }

    /// `MemTotal` and `MemAvailable` from `/proc/meminfo`, in KiB (the file says "kB").
    public struct Memory: Sendable, Hashable {
        public var totalKB: Int
        public var availableKB: Int

        public init(totalKB: Int, availableKB: Int) {
            self.totalKB = totalKB
            self.availableKB = availableKB
        }

        /// Available memory in MiB, rounded down.
        public var availableMB: Int { availableKB / 1024 }
    }

    /// The 1, 5 and 15 minute load averages from `/proc/loadavg`.
    public struct Load: Sendable, Hashable {
        public var one: Double
        public var five: Double
        public var fifteen: Double

        public init(one: Double, five: Double, fifteen: Double) {
            self.one = one
            self.five = five
            self.fifteen = fifteen
        }
    }

    /// Space on the filesystem holding `path`, in bytes (as `statvfs` reports it for unprivileged users).
    public struct DiskSpace: Sendable, Hashable {
        public var path: String
        public var totalBytes: UInt64
        public var availableBytes: UInt64

        public init(path: String, totalBytes: UInt64, availableBytes: UInt64) {
            self.path = path
            self.totalBytes = totalBytes
            self.availableBytes = availableBytes
        }

        /// Available space as a percentage of the total (0–100); 0 for an empty filesystem.
        public var availablePercent: Double {
            totalBytes == 0 ? 0 : Double(availableBytes) / Double(totalBytes) * 100
        }
    }

    /// The device-tree model, e.g. `Raspberry Pi 4 Model B Rev 1.4`.
    public var model: String?
    /// `Revision` from `/proc/cpuinfo`, e.g. `c03114`.
    public var revision: String?
    /// `Serial` from `/proc/cpuinfo`.
    public var serial: String?
    /// `Model` from `/proc/cpuinfo`.
    public var cpuinfoModel: String?
    /// Every thermal zone with a readable `temp`, by name.
    public var thermalZones: [ThermalZone]
    public var memory: Memory?
    public var load: Load?
    /// Seconds since boot, from `/proc/uptime`.
    public var uptimeSeconds: Double?
    /// `/etc/hostname`, trimmed.
    public var hostname: String?
    /// The decoded `vcgencmd get_throttled`, or nil (then `throttlingUnavailable` says why).
    public var throttling: ThrottleStatus?
    /// Why `throttling` is nil: vcgencmd missing, failing or answering something unexpected.
    public var throttlingUnavailable: String?
    /// One entry per requested path that could be measured.
    public var disks: [DiskSpace]

    public init(
        model: String? = nil, revision: String? = nil, serial: String? = nil, cpuinfoModel: String? = nil,
        thermalZones: [ThermalZone] = [], memory: Memory? = nil, load: Load? = nil, uptimeSeconds: Double? = nil,
        hostname: String? = nil, throttling: ThrottleStatus? = nil, throttlingUnavailable: String? = nil,
        disks: [DiskSpace] = []
    ) {
        self.model = model
        self.revision = revision
        self.serial = serial
        self.cpuinfoModel = cpuinfoModel
        self.thermalZones = thermalZones
        self.memory = memory
        self.load = load
        self.uptimeSeconds = uptimeSeconds
        self.hostname = hostname
        self.throttling = throttling
        self.throttlingUnavailable = throttlingUnavailable
        self.disks = disks
    }

    /// The hottest zone in °C, or nil without thermal zones.
    public var maximumCelsius: Double? { thermalZones.map(\.celsius).max() }
}
