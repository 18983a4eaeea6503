public import ChainbotCore

/// Reads the Pi's own state through the filesystem seam (so tests point it at a fixture tree) and
/// `vcgencmd` through the command runner.
///
/// Disk space comes from an injected `diskSpace` closure that gets a host path (live:
/// `HostProvider.diskSpaceProbe`, the seam's `space`; offline: what a snapshot recorded); without one,
/// `disks` stays empty.
public struct PiHardwareReader: Sendable {
    /// Measures the filesystem holding a host path (e.g. with `statvfs` under the root); nil when it cannot.
    public typealias DiskSpaceProbe = @Sendable (String) -> PiHardware.DiskSpace?

    /// The program run for throttling; looked up in `PATH`.
    static let vcgencmd = "vcgencmd"
    /// How long `vcgencmd get_throttled` may take (it answers in milliseconds on a Pi).
    static let vcgencmdTimeout: Duration = .seconds(5)

    let fileSystem: any HostFileSystem
    let runner: any CommandRunner
    let diskSpace: DiskSpaceProbe?

    public init(
        fileSystem: some HostFileSystem, runner: some CommandRunner, diskSpace: DiskSpaceProbe? = nil
    ) {
        self.fileSystem = fileSystem
        self.runner = runner
        self.diskSpace = diskSpace
    }

    /// Reads every file and runs `vcgencmd get_throttled`; missing files leave their fields nil, a missing
    /// or failing vcgencmd is reported in `throttlingUnavailable`. Throws only when a file exists but
    /// cannot be read.
    public func read(diskPaths: [String] = ["/"]) async throws(ProviderError) -> PiHardware {
        var hardware = PiHardware()
        var model = try fileSystem.read("/proc/device-tree/model")
        if model == nil { model = try fileSystem.read("/sys/firmware/devicetree/base/model") }
        hardware.model = model.flatMap(PiHardware.parseDeviceTreeString)
        if let cpuinfo = try text("/proc/cpuinfo") {
            hardware.revision = PiHardware.cpuinfoValue("Revision", in: cpuinfo)
            hardware.serial = PiHardware.cpuinfoValue("Serial", in: cpuinfo)
            hardware.cpuinfoModel = PiHardware.cpuinfoValue("Model", in: cpuinfo)
        }
        hardware.thermalZones = try thermalZones()
        hardware.memory = try text("/proc/meminfo").flatMap(PiHardware.parseMeminfo)
        hardware.load = try text("/proc/loadavg").flatMap(PiHardware.parseLoadavg)
        hardware.uptimeSeconds = try text("/proc/uptime").flatMap(PiHardware.parseUptime)
        hardware.hostname = try text("/etc/hostname").map { HostText.trimmed($0) }.flatMap { $0.isEmpty ? nil : $0 }
        switch await throttling() {
        case .success(let status): hardware.throttling = status
        case .failure(let reason): hardware.throttlingUnavailable = reason.message
        }
        if let diskSpace { hardware.disks = diskPaths.compactMap(diskSpace) }
        return hardware
    }

    /// Every `thermal_zone*` under `/sys/class/thermal` with a readable `temp`, by name.
    func thermalZones() throws(ProviderError) -> [PiHardware.ThermalZone] {
        var zones: [PiHardware.ThermalZone] = []
        for name in try fileSystem.list("/sys/class/thermal") where name.hasPrefix("thermal_zone") {
            let directory = "/sys/class/thermal/" + name
            guard let celsius = try text(directory + "/temp").flatMap(PiHardware.parseMillidegrees) else { continue }
            let type = try text(directory + "/type").map { HostText.trimmed($0) }
            zones.append(PiHardware.ThermalZone(name: name, type: type, celsius: celsius))
        }
        return zones
    }

    /// Runs `vcgencmd get_throttled` and decodes its answer; never throws.
    func throttling() async -> Result<ThrottleStatus, ThrottlingUnavailable> {
        let invocation = CommandInvocation(Self.vcgencmd, ["get_throttled"], timeout: Self.vcgencmdTimeout)
        let result: CommandResult
        do {
            result = try await runner.run(invocation)
        } catch {
            return .failure(ThrottlingUnavailable(message: "vcgencmd is not available: \(error)"))
        }
        guard result.succeeded else {
            let detail = HostText.trimmed(result.errorOutput + " " + result.output)
            return .failure(
                ThrottlingUnavailable(message: "'\(invocation)' failed (\(result.termination)): \(detail)"))
        }
        guard let status = ThrottleStatus(output: result.output) else {
            let output = HostText.trimmed(result.output)
            return .failure(ThrottlingUnavailable(message: "'\(invocation)' answered '\(output)', not throttled=0x…"))
        }
        return .success(status)
    }

    /// Why throttling could not be read.
    struct ThrottlingUnavailable: Error {
        var message: String
    }

    private func text(_ path: String) throws(ProviderError) -> String? {
        try fileSystem.read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
