import ChainbotCore
import ChainbotOS
import ChainbotProviders
import Glibc

/// Where a scrape reads the host's and the process's gauges: `/sys` and `/proc` through a filesystem seam
/// (a test points it at a tree it wrote), `vcgencmd` through a command runner, and the state directory's
/// free space through a probe.
struct AgentMetricsHost: Sendable {
    /// Holds `/sys/class/thermal`, `/proc/meminfo` and `/proc/self`.
    var fileSystem: any HostFileSystem
    /// Runs `vcgencmd get_throttled`.
    var runner: any CommandRunner
    /// Measures the filesystem holding a path (the state file's directory).
    var diskSpace: PiHardwareReader.DiskSpaceProbe

    /// The live host: `/` and posix_spawn.
    static var live: AgentMetricsHost {
        let root = LocalFileSystem()
        return AgentMetricsHost(
            fileSystem: root, runner: SpawnCommandRunner(), diskSpace: HostProvider.diskSpaceProbe(root))
    }

    /// The Pi's gauges now, with the space of the filesystem holding `statePath`'s directory.
    func gauges(statePath: String) async -> PiGauges {
        let reader = PiHardwareReader(fileSystem: fileSystem, runner: runner, diskSpace: diskSpace)
        return await reader.gauges(diskPath: Self.directory(of: statePath))
    }

    /// This process's figures now.
    func process() -> ProcessStatistics { ProcessStatistics.read(from: fileSystem) }

    /// The directory holding `path` (`/var/lib/chainbot` for `/var/lib/chainbot/state.db`), absolute: a
    /// relative path is taken from the working directory.
    static func directory(of path: String) -> String {
        var absolute = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard getcwd(&buffer, buffer.count) != nil else { return "/" }
            absolute =
                String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
        }
        guard let slash = absolute.lastIndex(of: "/") else { return "/" }
        let directory = String(absolute[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}
