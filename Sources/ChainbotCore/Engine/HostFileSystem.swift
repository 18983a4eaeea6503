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
}
