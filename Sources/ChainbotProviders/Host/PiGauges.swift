import ChainbotCore

/// What the agent's `/metrics` shows of the Pi at one scrape: temperatures, throttling, available memory
/// and the free space of the state file's filesystem. A gauge that cannot be read is nil (left out of the
/// page, never shown as 0).
public struct PiGauges: Sendable, Hashable {
    /// Every `/sys/class/thermal/thermal_zone*` with a readable `temp`, by name.
    public var thermalZones: [PiHardware.ThermalZone] = []
    /// `/proc/meminfo`'s `MemTotal` and `MemAvailable`.
    public var memory: PiHardware.Memory?
    /// `vcgencmd get_throttled`, decoded; nil when vcgencmd is missing, fails or answers something else.
    public var throttling: ThrottleStatus?
    /// The filesystem holding the measured path.
    public var disk: PiHardware.DiskSpace?

    public init(
        thermalZones: [PiHardware.ThermalZone] = [], memory: PiHardware.Memory? = nil,
        throttling: ThrottleStatus? = nil, disk: PiHardware.DiskSpace? = nil
    ) {
        self.thermalZones = thermalZones
        self.memory = memory
        self.throttling = throttling
        self.disk = disk
    }
}

extension PiHardwareReader {
    /// How long `vcgencmd get_throttled` may take during a scrape: well inside Prometheus's default 10 s
    /// scrape timeout (it answers in milliseconds on a Pi).
    static let gaugeCommandTimeout: Duration = .seconds(2)

    /// Reads only what the gauges need: the thermal zones, `/proc/meminfo`, `vcgencmd get_throttled` and
    /// the space of the filesystem holding `diskPath` (through `diskSpace`). Never throws: whatever is
    /// missing or unreadable is left nil.
    public func gauges(diskPath: String?) async -> PiGauges {
        var gauges = PiGauges()
        gauges.thermalZones = (try? thermalZones()) ?? []
        if let bytes = try? fileSystem.read("/proc/meminfo") {
            gauges.memory = PiHardware.parseMeminfo(String(decoding: bytes, as: UTF8.self))
        }
        gauges.throttling = await gaugeThrottling()
        if let diskPath, let diskSpace { gauges.disk = diskSpace(diskPath) }
        return gauges
    }

    /// `vcgencmd get_throttled` with the scrape's short timeout; nil on any failure.
    private func gaugeThrottling() async -> ThrottleStatus? {
        let invocation = CommandInvocation(Self.vcgencmd, ["get_throttled"], timeout: Self.gaugeCommandTimeout)
        guard let result = try? await runner.run(invocation), result.succeeded else { return nil }
        return ThrottleStatus(output: result.output)
    }
}
