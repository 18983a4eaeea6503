public import ChainbotCore
import Glibc

/// The host's real filesystem, with every host path mapped under `root` (`--root DIR`).
///
/// Paths are checked before any disk access (absolute, no `..`; see `HostPath`). Writes are atomic
/// (`LocalFileSystem+Write.swift`): readers see the old file or the new one, never a half-written one.
/// Symbolic links already on disk are followed by the kernel as usual, so a link inside the root that
/// points outside it is not contained; the root is a convenience for images and tests, not a jail.
public struct LocalFileSystem: HostFileSystem {
    /// The directory host paths are resolved under; "/" on a live host.
    public let root: String

    /// Makes a filesystem whose host paths resolve under `root` (a relative root is relative to the
    /// working directory).
    public init(root: String = "/") {
        self.root = root
    }

    /// The file's bytes (following symbolic links), or nil when it does not exist.
    public func read(_ path: String) throws(ProviderError) -> [UInt8]? {
        let disk = try HostPath(path, root: root).disk
        let fd = open(disk, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw ProviderError(SystemError("open", path: disk, code: code))
        }
        defer { close(fd) }
        return try FileDescriptorIO.readAll(fd, path: disk)
    }

    /// The file's type, mode and ownership from `lstat`, with user and group names when the host knows them.
    public func info(_ path: String) throws(ProviderError) -> FileInfo? {
        let disk = try HostPath(path, root: root).disk
        var status = stat()
        if lstat(disk, &status) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw ProviderError(SystemError("lstat", path: disk, code: code))
        }
        let type: FileInfo.FileType =
            switch status.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symlink
            default: .other
            }
        return FileInfo(
            type: type, mode: UInt32(status.st_mode & 0o7777), uid: status.st_uid, gid: status.st_gid,
            owner: AccountNames(root: root).userName(of: status.st_uid),
            group: AccountNames(root: root).groupName(of: status.st_gid),
            size: Int(status.st_size))
    }

    /// Removes a file or symbolic link; a missing one is not an error, a directory is.
    public func remove(_ path: String) throws(ProviderError) {
        let disk = try HostPath(path, root: root).disk
        if unlink(disk) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw ProviderError(SystemError("unlink", path: disk, code: code))
        }
    }

    /// The names in a directory, sorted, without `.` and `..`; an empty list when it does not exist.
    ///
    /// Hidden names are listed too: callers decide what a leading dot means to them.
    public func list(_ directory: String) throws(ProviderError) -> [String] {
        let disk = try HostPath(directory, root: root).disk
        guard let handle = opendir(disk) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return [] }
            throw ProviderError(SystemError("opendir", path: disk, code: code))
        }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw ProviderError.current("readdir", path: disk) }
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
