public import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// The space on the filesystem holding `path` (resolved inside the root), from `fstatvfs`: the blocks
    /// an unprivileged user may use; nil when `path` does not exist.
    public func space(_ path: String) throws(ProviderError) -> FileSystemSpace? {
        let host = try HostPath(path, root: root)
        guard let fd = try resolver.open(host, flags: LinuxResolve.pathOnly) else { return nil }
        defer { close(fd) }
        var status = statvfs()
        guard fstatvfs(fd, &status) == 0 else { throw ProviderError.current("statvfs", path: host.disk) }
        let unit = UInt64(status.f_frsize)
        return FileSystemSpace(
            totalBytes: UInt64(status.f_blocks) * unit, availableBytes: UInt64(status.f_bavail) * unit)
    }
}
