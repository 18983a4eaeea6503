/// What chainbot knows about a file on the host.
public struct FileInfo: Sendable, Hashable {
    public enum FileType: Sendable, Hashable { case regular, directory, symlink, other }

    public var type: FileType
    /// Permission bits (e.g. 0o644), without the file-type bits.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// The user name of `uid`, when the host knows it.
    public var owner: String?
    /// The group name of `gid`, when the host knows it.
    public var group: String?
    public var size: Int

    public init(
        type: FileType, mode: UInt32, uid: UInt32 = 0, gid: UInt32 = 0, owner: String? = nil, group: String? = nil,
        size: Int = 0
    ) {
        self.type = type
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.owner = owner
        self.group = group
        self.size = size
    }
}

/// The filesystem seam: every path is host-absolute (`/etc/systemd/system/x.service`) and the
/// implementation maps it under its root (`--root DIR` prepares an SD-card image offline).
///
/// Under a root other than "/", every path resolves inside the root, symbolic links included (an absolute
/// target is taken from the root, `..` stops at it): no operation reads, writes, renames or removes
/// anything outside, and what cannot be resolved inside fails with an error naming the path.
public protocol HostFileSystem: Sendable {
    /// The directory host paths are resolved under; "/" on a live host.
    var root: String { get }

    /// The file's bytes, or nil when it does not exist.
    func read(_ path: String) throws(ProviderError) -> [UInt8]?

    /// The file's type, mode and ownership without following a final symbolic link, or nil when missing.
    func info(_ path: String) throws(ProviderError) -> FileInfo?

    /// Writes atomically: a temporary file in the same directory, mode and owner set, fsync, rename.
    /// Missing parent directories are created (mode 0755).
    func write(_ file: FileWrite) throws(ProviderError)

    /// Removes a file or symbolic link; a missing one is not an error.
    func remove(_ path: String) throws(ProviderError)

    /// The names in a directory, sorted; an empty list when it does not exist.
    func list(_ directory: String) throws(ProviderError) -> [String]

    /// Creates (or replaces) a symbolic link at `path` pointing at `target`, creating parent directories.
    func symlink(_ target: String, at path: String) throws(ProviderError)

    /// Where a symbolic link points, or nil when `path` is not one.
    func readLink(_ path: String) throws(ProviderError) -> String?

    /// Creates `path` and every missing directory above it with `mode`; see the default below.
    func makeDirectory(_ path: String, mode: UInt32) throws(ProviderError)

    /// Renames `path` to `destination` in one step; false when nothing is at `path`.
    func rename(_ path: String, to destination: String) throws(ProviderError) -> Bool

    /// The last `limit` bytes of a regular file, or nil when it does not exist.
    func readTail(_ path: String, limit: Int) throws(ProviderError) -> [UInt8]?

    /// The space on the filesystem holding `path`, or nil when it does not exist.
    func space(_ path: String) throws(ProviderError) -> FileSystemSpace?

    /// Whether the host knows the user (or with `group`, the group) `name`, as a write's owner would be
    /// resolved; nil when it cannot tell (see the default below).
    func knowsAccount(_ name: String, group: Bool) -> Bool?
}

extension HostFileSystem {
    /// A filesystem that cannot look accounts up cannot tell.
    public func knowsAccount(_ name: String, group: Bool) -> Bool? { nil }
}

/// Space on the filesystem holding a path, in bytes, as `statvfs` reports it to unprivileged users.
public struct FileSystemSpace: Sendable, Hashable {
    public var totalBytes: UInt64
    public var availableBytes: UInt64

    public init(totalBytes: UInt64, availableBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }
}

/// Directories, renames, bounded tails and disk space: for chainbot's own runtime files (the firewall
/// guard's markers) and the Host's disk conditions. The defaults suit fakes that do not model them.
extension HostFileSystem {
    /// Creates `path` and every missing directory above it with `mode` (whatever the umask); an existing
    /// directory is left as it is. The default refuses.
    public func makeDirectory(_ path: String, mode: UInt32) throws(ProviderError) {
        throw ProviderError(
            "cannot create directory \(path): \(Self.self) does not create directories", code: .unsupported)
    }

    /// Renames `path` to `destination` in one step (`rename(2)`, replacing what is there): true when it
    /// did, false when nothing is at `path`, so that of two racing renames of one file exactly one wins.
    /// The default refuses.
    public func rename(_ path: String, to destination: String) throws(ProviderError) -> Bool {
        throw ProviderError("cannot rename \(path) to \(destination): \(Self.self) does not rename", code: .unsupported)
    }

    /// The last `limit` bytes of a regular file, or nil when it does not exist. The default reads the whole
    /// file.
    public func readTail(_ path: String, limit: Int) throws(ProviderError) -> [UInt8]? {
        try read(path).map { Array($0.suffix(max(0, limit))) }
    }

    /// The space on the filesystem holding `path`, or nil when it does not exist or cannot be measured.
    /// The default measures nothing.
    public func space(_ path: String) throws(ProviderError) -> FileSystemSpace? { nil }
}
