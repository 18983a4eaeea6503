public import ChainbotCore
import Glibc

/// Directories, renames and bounded tails, resolved inside the root like every other operation: what the
/// firewall guard's marker files need.
extension LocalFileSystem {
    /// Creates `path` and every missing directory above it with `mode` (whatever the umask), one `mkdirat`
    /// a component; an existing directory is left as it is.
    public func makeDirectory(_ path: String, mode: UInt32) throws(ProviderError) {
        let host = try HostPath(path, root: root)
        for count in host.components.indices.map({ $0 + 1 }) {
            let step = try HostPath("/" + host.components.prefix(count).joined(separator: "/"), root: root)
            guard let (directory, name) = try resolver.parent(of: step) else {
                throw ProviderError(SystemError("mkdir", path: step.disk, code: ENOENT))
            }
            if mkdirat(directory.fd, name, mode_t(mode & 0o7777)) == 0 {
                if fchmodat(directory.fd, name, mode_t(mode & 0o7777), 0) != 0 {
                    throw ProviderError.current("chmod", path: step.disk)
                }
            } else if errno != EEXIST {
                throw ProviderError.current("mkdir", path: step.disk)
            }
        }
    }

    /// Renames `path` to `destination` with one `renameat`, replacing what is there; false when nothing is
    /// at `path`.
    public func rename(_ path: String, to destination: String) throws(ProviderError) -> Bool {
        let source = try HostPath(path, root: root)
        let target = try HostPath(destination, root: root)
        guard let (from, name) = try resolver.parent(of: source) else { return false }
        guard let (to, newName) = try resolver.parent(of: target) else {
            throw ProviderError(SystemError("rename", path: target.disk, code: ENOENT))
        }
        if renameat(from.fd, name, to.fd, newName) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw ProviderError(SystemError("rename", path: source.disk, code: code))
    }

    /// The last `limit` bytes of a regular file, read after seeking there (the rest is never read); opened
    /// without blocking, so a FIFO at `path` is an error, not a wait.
    public func readTail(_ path: String, limit: Int) throws(ProviderError) -> [UInt8]? {
        let host = try HostPath(path, root: root)
        guard let fd = try resolver.open(host, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY) else { return nil }
        defer { close(fd) }
        try FileDescriptorIO.requireRegular(fd, path: host.disk)
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ProviderError.current("fstat", path: host.disk) }
        let window = max(0, limit)
        if status.st_size > window, lseek(fd, off_t(status.st_size) - off_t(window), SEEK_SET) < 0 {
            throw ProviderError.current("lseek", path: host.disk)
        }
        var bytes = [UInt8](repeating: 0, count: window)
        var filled = 0
        while filled < window {
            let count = bytes.withUnsafeMutableBytes {
                Glibc.read(fd, $0.baseAddress.map { $0 + filled }, window - filled)
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw ProviderError.current("read", path: host.disk) }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes[..<filled])
    }
}
