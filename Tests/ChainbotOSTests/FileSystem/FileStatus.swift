import Glibc

/// `lstat` of a path for assertions: nil when it does not exist.
func fileStatus(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}

/// The permission bits of `path` (0o7777), or nil when it does not exist.
func permissionBits(_ path: String) -> UInt32? {
    fileStatus(path).map { UInt32($0.st_mode & 0o7777) }
}

/// True when the test process runs as root (chown to other users needs it).
let runsAsRoot = getuid() == 0
