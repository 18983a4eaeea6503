public import ChainbotCore
import Glibc

/// The host's real filesystem, with every host path resolved inside `root` (`--root DIR`).
///
/// Paths are checked before any disk access (absolute, no `..`; see `HostPath`). Under an image root every
/// symbolic link on the way is read as the booted image would read it — an absolute target relative to the
/// root, `..` stopping at the root — so no read, write, rename, removal or listing reaches outside the root
/// (`RootResolver`). Writes are atomic (`LocalFileSystem+Write.swift`): readers see the old file or the new
/// one, never a half-written one. On the live host (root "/") the kernel resolves paths as usual.
///
/// Reads take regular files only, of at most `readLimit` bytes: a FIFO, a device or a socket at a path is
/// an error naming it (it is opened without blocking and never read), and so is a file that is, or grows
/// while read, larger than the limit (`/proc` files report size 0 and are counted as they are read).
public struct LocalFileSystem: HostFileSystem {
    /// The directory host paths are resolved under; "/" on a live host.
    public let root: String
    /// The most bytes `read` returns; a larger file is an error.
    public let readLimit: Int
    /// How paths are resolved inside `root`.
    let resolver: RootResolver

    /// 16 MiB: far above any file chainbot manages or observes, far below what hurts a Pi.
    public static let defaultReadLimit = 16 << 20

    /// Makes a filesystem whose host paths resolve under `root` (a relative root is relative to the
    /// working directory) and whose reads return at most `readLimit` bytes.
    public init(root: String = "/", readLimit: Int = LocalFileSystem.defaultReadLimit) {
        self.init(root: root, strategy: nil, readLimit: readLimit)
    }

    /// Makes a filesystem that resolves paths with `strategy` (nil: `openat2` where the kernel has it).
    init(root: String, strategy: RootResolver.Strategy?, readLimit: Int = LocalFileSystem.defaultReadLimit) {
        self.root = root
        self.readLimit = max(0, readLimit)
        self.resolver = RootResolver(root: root, strategy: strategy)
    }

    /// The file's bytes (following symbolic links inside the root), or nil when it does not exist.
    ///
    /// `O_NONBLOCK` keeps the open of a FIFO without a writer from waiting, `O_NOCTTY` a terminal from
    /// becoming chainbot's; the descriptor's type is checked before anything is read.
    public func read(_ path: String) throws(ProviderError) -> [UInt8]? {
        let host = try HostPath(path, root: root)
        guard let fd = try resolver.open(host, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY) else { return nil }
        defer { close(fd) }
        try FileDescriptorIO.requireRegular(fd, path: host.disk)
        return try FileDescriptorIO.readAll(fd, path: host.disk, limit: readLimit)
    }

    /// The file's type, mode and ownership from `lstat`, with user and group names when the host knows them.
    public func info(_ path: String) throws(ProviderError) -> FileInfo? {
        let host = try HostPath(path, root: root)
        guard let (directory, name) = try resolver.parent(of: host) else { return nil }
        var status = stat()
        if fstatat(directory.fd, name, &status, AT_SYMLINK_NOFOLLOW) != 0 {
            return try RootResolver.missing("lstat", host.disk)
        }
        let type: FileInfo.FileType =
            switch status.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symlink
            default: .other
            }
        let accounts = AccountNames(fileSystem: self)
        return FileInfo(
            type: type, mode: UInt32(status.st_mode & 0o7777), uid: status.st_uid, gid: status.st_gid,
            owner: accounts.userName(of: status.st_uid), group: accounts.groupName(of: status.st_gid),
            size: Int(status.st_size))
    }

    /// Removes a file or symbolic link (never what it points at); a missing one is not an error, a
    /// directory is. Temporaries that a killed writer left beside it go too (`StaleTemporaries`).
    public func remove(_ path: String) throws(ProviderError) {
        let host = try HostPath(path, root: root)
        guard let (directory, name) = try resolver.parent(of: host) else { return }
        StaleTemporaries.remove(beside: name, in: directory)
        if unlinkat(directory.fd, name, 0) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw ProviderError(SystemError("unlink", path: host.disk, code: code))
        }
    }

    /// The names in a directory (following symbolic links inside the root), sorted, without `.` and `..`;
    /// an empty list when it does not exist.
    ///
    /// Hidden names are listed too: callers decide what a leading dot means to them.
    public func list(_ directory: String) throws(ProviderError) -> [String] {
        let host = try HostPath(directory, root: root)
        guard let fd = try resolver.open(host, flags: O_RDONLY | O_DIRECTORY) else { return [] }
        guard let handle = fdopendir(fd) else {
            let error = ProviderError.current("opendir", path: host.disk)
            close(fd)
            throw error
        }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw ProviderError.current("readdir", path: host.disk) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
