import ChainbotCore

extension HostProvider {
    /// Where a snapshot records disk space: one line per path, `PATH TOTAL_BYTES AVAILABLE_BYTES`.
    public static let recordedDiskSpacePath = "/statvfs"
    /// Where a snapshot records the output of `vcgencmd get_throttled`.
    public static let recordedThrottlingPath = "/vcgencmd/get_throttled"

    /// The condition facets whose readings are not under the offline root: no model file, no thermal zone,
    /// no recorded `vcgencmd` output or disk space, no meminfo.
    func unmeasuredOffline(_ spec: HostSpec) throws(ProviderError) -> Set<String> {
        var names: Set<String> = []
        if try fileSystem.info("/proc/device-tree/model") == nil,
            try fileSystem.info("/sys/firmware/devicetree/base/model") == nil
        {
            names.insert(HostConditions.model)
        }
        if try !fileSystem.list("/sys/class/thermal").contains(where: { $0.hasPrefix("thermal_zone") }) {
            names.insert(HostConditions.temperature)
        }
        if try fileSystem.info(Self.recordedThrottlingPath) == nil {
            names.formUnion([HostConditions.throttling, HostConditions.throttlingSinceBoot])
        }
        let disks = try fileSystem.read(Self.recordedDiskSpacePath).map {
            Self.parseDiskSpace(String(decoding: $0, as: UTF8.self))
        }
        for path in spec.diskPaths where disks?.contains(where: { $0.path == path }) != true {
            names.insert(HostConditions.disk(path))
        }
        if try fileSystem.info("/proc/meminfo") == nil { names.insert(HostConditions.memory) }
        return names
    }

    /// Why a condition facet cannot be compared in an image: `not measurable in an image: it has no sensors`.
    static func notMeasurableOffline(_ facet: String) -> String {
        let snapshot = "recorded by chainbot snapshot"
        let why =
            switch facet {
            case HostConditions.model: "no /proc/device-tree/model"
            case HostConditions.temperature: "it has no sensors"
            case HostConditions.throttling, HostConditions.throttlingSinceBoot:
                "no vcgencmd to ask, and no \(recordedThrottlingPath.dropFirst()) \(snapshot)"
            case HostConditions.memory: "no /proc/meminfo"
            default:
                "no \(recordedDiskSpacePath.dropFirst()) line for \(facet.dropFirst(HostConditions.disk("").count)) \(snapshot)"
            }
        return "not measurable in an image: " + why
    }

    /// A disk-space probe over `statvfs` file text (`PATH TOTAL AVAILABLE` lines).
    public static func recordedDiskSpace(_ text: String) -> PiHardwareReader.DiskSpaceProbe {
        let disks = parseDiskSpace(text)
        return { path in disks.first { $0.path == path } }
    }

    /// The lines of a `statvfs` file; malformed lines are skipped.
    public static func parseDiskSpace(_ text: String) -> [PiHardware.DiskSpace] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let total = UInt64(fields[1]), let available = UInt64(fields[2]) else {
                return nil
            }
            return PiHardware.DiskSpace(path: String(fields[0]), totalBytes: total, availableBytes: available)
        }
    }

    /// `PATH TOTAL AVAILABLE` — one line of a `statvfs` file.
    public static func diskSpaceLine(_ space: PiHardware.DiskSpace) -> String {
        "\(space.path) \(space.totalBytes) \(space.availableBytes)\n"
    }

    /// Measures host paths with the filesystem seam's `space` (`statvfs` under its root: the space an
    /// unprivileged user may use); nil where a path is missing or cannot be measured.
    public static func diskSpaceProbe(_ fileSystem: any HostFileSystem) -> PiHardwareReader.DiskSpaceProbe {
        { path in
            guard let space = (try? fileSystem.space(path)) ?? nil else { return nil }
            return PiHardware.DiskSpace(
                path: path, totalBytes: space.totalBytes, availableBytes: space.availableBytes)
        }
    }
}

/// Answers `vcgencmd get_throttled` from what a snapshot recorded under the root, and nothing else:
/// offline, no command may run against the machine chainbot happens to be on.
struct RecordedCommands: CommandRunner {
    let fileSystem: any HostFileSystem

    func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        let recorded = HostProvider.recordedThrottlingPath
        guard invocation.executable == PiHardwareReader.vcgencmd, invocation.arguments == ["get_throttled"],
            let bytes = try? fileSystem.read(recorded)
        else {
            throw .launchFailed(
                command: invocation.description,
                reason: "offline (--root): no \(String(recorded.dropFirst())) recorded in \(fileSystem.root)")
        }
        return CommandResult(termination: .exited(0), standardOutput: bytes)
    }
}
