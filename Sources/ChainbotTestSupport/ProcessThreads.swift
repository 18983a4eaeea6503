import Glibc

/// The threads of a process as `/proc` shows them: for tests that check which threads a process runs
/// and how often they wake.
public enum ProcessThreads {
    /// Thread id → name (`comm`) of every thread of `pid` ("self" for this process).
    public static func names(_ pid: String = "self") -> [Int: String] {
        var names: [Int: String] = [:]
        guard let directory = opendir("/proc/\(pid)/task") else { return names }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let id = Int(tid), let comm = Fixtures.readText("/proc/\(pid)/task/\(tid)/comm") else { continue }
            names[id] = comm.split(separator: "\n").first.map(String.init) ?? ""
        }
        return names
    }

    /// The voluntary context switches (each a wake-up after a wait) of thread `tid` of `pid`; nil when it
    /// is gone.
    public static func voluntarySwitches(_ pid: String = "self", tid: Int) -> Int? {
        guard let status = Fixtures.readText("/proc/\(pid)/task/\(tid)/status") else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("voluntary_ctxt_switches:") }
        return line.flatMap { Int($0.split(separator: "\t").last ?? "") }
    }
}
