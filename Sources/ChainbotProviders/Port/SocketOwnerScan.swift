import ChainbotCore

/// Finds which processes hold which sockets: every `/proc/PID/fd/*` link of the form `socket:[INODE]`.
///
/// /proc changes while it is read. A process that is gone by the time its directory is read simply has
/// nothing to report; one whose descriptors are not readable (another user's, without root) is skipped
/// and the scan is marked incomplete.
struct SocketOwnerScan {
    /// What a scan found.
    struct Ownership {
        /// The owners of each wanted inode that has any, in /proc order.
        var owners: [UInt64: [ListenerOwner]] = [:]
        /// False when some live process's descriptors could not be read.
        var complete: Bool { unreadable == 0 }
        /// How many live processes' descriptors could not be read.
        var unreadable = 0
        /// The first read of an unreadable process that failed: `opendir /proc/731/fd: Permission denied`.
        var firstFailure: String?

        /// `opendir /proc/731/fd: Permission denied (1 process unreadable)`; nil when the scan is complete.
        var gap: String? {
            guard !complete else { return nil }
            let count = "\(unreadable) process\(unreadable == 1 ? "" : "es") unreadable"
            return firstFailure.map { "\($0) (\(count))" } ?? count
        }
    }

    let fileSystem: any HostFileSystem

    /// Scans every process for links to `inodes`; reads `comm` and `cgroup` only of processes holding one.
    /// Throws only when `/proc` itself cannot be listed.
    func owners(of inodes: Set<UInt64>) throws(ProviderError) -> Ownership {
        var ownership = Ownership()
        guard !inodes.isEmpty else { return ownership }
        for name in try fileSystem.list("/proc") {
            guard let pid = Int32(name), pid > 0 else { continue }
            let directory = "/proc/" + name
            let held: Set<UInt64>
            do {
                held = try socketInodes(in: directory + "/fd").intersection(inodes)
            } catch {
                // Permission denied, or the process went away between two calls: only the first is a gap.
                if exists(directory) {
                    ownership.unreadable += 1
                    if ownership.firstFailure == nil { ownership.firstFailure = error.message }
                }
                continue
            }
            guard !held.isEmpty, let owner = owner(pid: pid, directory: directory) else { continue }
            for inode in held { ownership.owners[inode, default: []].append(owner) }
        }
        return ownership
    }

    /// The inodes of every socket descriptor in an fd directory; descriptors closed mid-scan are skipped.
    private func socketInodes(in fdDirectory: String) throws(ProviderError) -> Set<UInt64> {
        var found: Set<UInt64> = []
        for fd in try fileSystem.list(fdDirectory) {
            guard let target = try fileSystem.readLink(fdDirectory + "/" + fd) else { continue }
            if let inode = Self.socketInode(target) { found.insert(inode) }
        }
        return found
    }

    /// The process's command and unit; nil when it has exited (its `comm` is gone).
    private func owner(pid: Int32, directory: String) -> ListenerOwner? {
        guard let comm = try? fileSystem.read(directory + "/comm") else { return nil }
        let command = String(decoding: comm, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        let cgroup = try? fileSystem.read(directory + "/cgroup")
        let unit = cgroup.flatMap { CgroupUnit.unit(fromCgroup: String(decoding: $0, as: UTF8.self)) }
        return ListenerOwner(pid: pid, command: command, unit: unit)
    }

    private func exists(_ path: String) -> Bool {
        (try? fileSystem.info(path)) != nil
    }

    /// `socket:[12345]` → 12345; nil for any other link (`/dev/null`, `pipe:[…]`, `anon_inode:[eventfd]`).
    static func socketInode(_ target: String) -> UInt64? {
        guard target.hasPrefix("socket:["), target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst("socket:[".count).dropLast())
    }
}
