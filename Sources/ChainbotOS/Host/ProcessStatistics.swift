public import ChainbotCore
import Glibc

/// This process as `/proc/self` tells it, for the standard `process_*` metrics: read through the
/// filesystem seam, so a test points it at a tree it wrote. A figure that cannot be read is nil.
public struct ProcessStatistics: Sendable, Hashable {
    /// User plus system CPU time, in seconds.
    public var cpuSeconds: Double?
    /// Resident set size, in bytes.
    public var residentBytes: UInt64?
    /// Virtual memory size, in bytes.
    public var virtualBytes: UInt64?
    /// Open file descriptors (the entries of `/proc/self/fd`).
    public var openFileDescriptors: Int?
    /// The soft limit on open file descriptors (`Max open files` in `/proc/self/limits`); nil when unlimited.
    public var maxFileDescriptors: Int?
    /// When the process started, in seconds since the epoch.
    public var startTimeSeconds: Double?

    public init() {}

    /// Reads `/proc/self/stat`, `/proc/self/fd`, `/proc/self/limits` and `btime` of `/proc/stat` from
    /// `fileSystem`; `clockTicks` is the kernel's USER_HZ and `pageSize` the size of a page in bytes.
    public static func read(
        from fileSystem: some HostFileSystem, clockTicks: Int = Int(sysconf(Int32(_SC_CLK_TCK))),
        pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))
    ) -> ProcessStatistics {
        var statistics = ProcessStatistics()
        if let stat = text(fileSystem, "/proc/self/stat").flatMap(ProcStat.init) {
            let ticks = Double(max(clockTicks, 1))
            statistics.cpuSeconds = Double(stat.userTicks + stat.systemTicks) / ticks
            statistics.virtualBytes = stat.virtualBytes
            statistics.residentBytes = stat.residentPages * UInt64(max(pageSize, 0))
            if let boot = text(fileSystem, "/proc/stat").flatMap(bootTime) {
                statistics.startTimeSeconds = Double(boot) + Double(stat.startTicks) / ticks
            }
        }
        if let names = try? fileSystem.list("/proc/self/fd"), !names.isEmpty {
            statistics.openFileDescriptors = names.count
        }
        if let limits = text(fileSystem, "/proc/self/limits") {
            statistics.maxFileDescriptors = openFilesLimit(limits)
        }
        return statistics
    }

    /// `btime` (seconds since the epoch when the machine booted) from `/proc/stat`.
    static func bootTime(_ text: String) -> Int64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst("btime ".count).prefix { $0 != " " })
        }
        return nil
    }

    /// The soft limit of the `Max open files` line of `/proc/self/limits`; nil when absent or `unlimited`.
    static func openFilesLimit(_ text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            return line.dropFirst("Max open files".count).split(separator: " ").first.flatMap { Int($0) }
        }
        return nil
    }

    private static func text(_ fileSystem: some HostFileSystem, _ path: String) -> String? {
        ((try? fileSystem.read(path)) ?? nil).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The fields of `/proc/self/stat` the metrics need (proc(5): 14 utime, 15 stime, 22 starttime,
/// 23 vsize, 24 rss; 1-based).
struct ProcStat: Hashable {
    var userTicks: UInt64
    var systemTicks: UInt64
    var startTicks: UInt64
    var virtualBytes: UInt64
    var residentPages: UInt64

    /// Parses the line; the command name (field 2) is in parentheses and may hold spaces and
    /// parentheses itself, so the fields are counted from after its last `)`.
    init?(_ text: String) {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After the name: field 3 (state) is at index 0.
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        func field(_ number: Int) -> UInt64? {
            number - 3 < fields.count ? UInt64(fields[number - 3]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        userTicks = user
        systemTicks = system
        startTicks = start
        virtualBytes = virtual
        residentPages = resident
    }
}
