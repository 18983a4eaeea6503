public import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// Writes `file` atomically: a temporary file beside the target (`.NAME.chainbot-XXXXXX`) gets every
    /// byte, the owner, group and exact mode (no umask), an fsync, then is renamed over the target, and the
    /// directory is synced. Any failure removes the temporary file, so the target is either the old file
    /// or the complete new one.
    ///
    /// Missing parent directories are created with mode 0755. A nil owner or group keeps chainbot's own.
    /// A symbolic link at the target is replaced by the file, not followed.
    public func write(_ file: FileWrite) throws(ProviderError) {
        let path = try HostPath(file.path, root: root)
        guard !path.name.isEmpty else { throw ProviderError("refusing to write '\(file.path)': it is the root") }
        // Names are resolved first: an unknown user fails before anything exists on disk.
        let uid = try userID(file.owner, path: path.host)
        let gid = try groupID(file.group, path: path.host)
        try makeParents(of: path)

        let (fd, temp) = try Self.makeTemporaryFile(beside: path)
        do throws(ProviderError) {
            try FileDescriptorIO.writeAll(fd, file.content, path: temp)
            // chown before chmod: changing the owner clears set-user-ID and set-group-ID bits.
            if uid != nil || gid != nil, fchown(fd, uid ?? uid_t.max, gid ?? gid_t.max) != 0 {
                throw ProviderError.current("fchown", path: temp)
            }
            if fchmod(fd, mode_t(file.mode & 0o7777)) != 0 { throw ProviderError.current("fchmod", path: temp) }
            try FileDescriptorIO.sync(fd, path: temp)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        // Linux releases the descriptor even when close fails; the error may still report lost data.
        if close(fd) != 0 && errno != EINTR {
            let error = ProviderError.current("close", path: temp)
            unlink(temp)
            throw error
        }
        if rename(temp, path.disk) != 0 {
            let error = ProviderError.current("rename", path: path.disk)
            unlink(temp)
            throw error
        }
        try FileDescriptorIO.syncDirectory(path.parentDisk)
    }

    /// Creates the directories above `path` that are missing, each with mode 0755 whatever the umask.
    func makeParents(of path: HostPath) throws(ProviderError) {
        var status = stat()
        if stat(path.parentDisk, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { return }
        for directory in path.ancestorDisks {
            if mkdir(directory, 0o755) == 0 {
                if chmod(directory, 0o755) != 0 { throw ProviderError.current("chmod", path: directory) }
            } else if errno != EEXIST {
                throw ProviderError.current("mkdir", path: directory)
            }
        }
    }

    /// Creates `.NAME.chainbot-XXXXXX` (mode 0600, close-on-exec, never an existing file) beside the target.
    private static func makeTemporaryFile(beside path: HostPath) throws(ProviderError) -> (Int32, String) {
        var attempts = 0
        while true {
            let temp = path.parentDisk + "/" + TemporaryName.make(for: path.name)
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, temp) }
            let code = errno
            attempts += 1
            if code == EEXIST && attempts < TemporaryName.attempts { continue }
            throw ProviderError(SystemError("open", path: temp, code: code))
        }
    }

    private func userID(_ name: String?, path: String) throws(ProviderError) -> uid_t? {
        guard let name else { return nil }
        let id: uid_t?
        do { id = try AccountNames(root: root).userID(named: name) } catch { throw ProviderError(error) }
        guard let id else { throw ProviderError("no such user '\(name)' (owner of \(path))") }
        return id
    }

    private func groupID(_ name: String?, path: String) throws(ProviderError) -> gid_t? {
        guard let name else { return nil }
        let id: gid_t?
        do { id = try AccountNames(root: root).groupID(named: name) } catch { throw ProviderError(error) }
        guard let id else { throw ProviderError("no such group '\(name)' (group of \(path))") }
        return id
    }
}
