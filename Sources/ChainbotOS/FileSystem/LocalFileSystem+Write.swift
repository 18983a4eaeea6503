public import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// Writes `file` atomically: a temporary file beside the target (`.NAME.chainbot-XXXXXX`) gets every
    /// byte, the owner, group and exact mode (no umask), an fsync, then is renamed over the target, and the
    /// directory is synced. Any failure removes the temporary file, so the target is either the old file
    /// or the complete new one. The temporary file stays locked (`flock`) until the rename, so that the
    /// leftovers of a writer that was killed can be told from a live writer's and are removed the next
    /// time NAME is written (`StaleTemporaries`).
    ///
    /// Missing parent directories are created with mode 0755, inside the root even where a link on the
    /// way points elsewhere (see `RootResolver`). A nil owner or group keeps chainbot's own. A symbolic link
    /// at the target is replaced by the file, not followed.
    public func write(_ file: FileWrite) throws(ProviderError) {
        let path = try HostPath(file.path, root: root)
        guard !path.name.isEmpty else { throw ProviderError("refusing to write '\(file.path)': it is the root") }
        // Names are resolved first: an unknown user fails before anything exists on disk.
        let uid = try userID(file.owner, path: path.host)
        let gid = try groupID(file.group, path: path.host)
        let (directory, name) = try resolver.makeParent(of: path)

        StaleTemporaries.remove(beside: name, in: directory)
        let (fd, lock, temp) = try Self.makeTemporaryFile(in: directory, beside: path)
        // Released after the rename (or the failure): until then the temporary file is a live writer's.
        defer { close(lock) }
        let tempDisk = path.parentDisk + "/" + temp
        do throws(ProviderError) {
            try FileDescriptorIO.writeAll(fd, file.content, path: tempDisk)
            // chown before chmod: changing the owner clears set-user-ID and set-group-ID bits.
            if uid != nil || gid != nil, fchown(fd, uid ?? uid_t.max, gid ?? gid_t.max) != 0 {
                throw ProviderError.current("fchown", path: tempDisk)
            }
            if fchmod(fd, mode_t(file.mode & 0o7777)) != 0 { throw ProviderError.current("fchmod", path: tempDisk) }
            try FileDescriptorIO.sync(fd, path: tempDisk)
        } catch {
            close(fd)
            unlinkat(directory.fd, temp, 0)
            throw error
        }
        // Linux releases the descriptor even when close fails; the error may still report lost data.
        if close(fd) != 0 && errno != EINTR {
            let error = ProviderError.current("close", path: tempDisk)
            unlinkat(directory.fd, temp, 0)
            throw error
        }
        if renameat(directory.fd, temp, directory.fd, name) != 0 {
            let error = ProviderError.current("rename", path: path.disk)
            unlinkat(directory.fd, temp, 0)
            throw error
        }
        try FileDescriptorIO.syncDirectory(directory.fd, path: path.parentDisk)
    }

    /// Creates `.NAME.chainbot-XXXXXX` in `directory` (mode 0600, close-on-exec, never an existing file or a
    /// link) beside the target and locks it; returns its descriptor, the lock's descriptor and its name.
    ///
    /// The lock is taken on a second open of the file, so that closing the first one is still its last
    /// close (and reports lost data) while the lock holds until the rename.
    private static func makeTemporaryFile(in directory: OpenDirectory, beside path: HostPath) throws(ProviderError)
        -> (Int32, Int32, String)
    {
        var attempts = 0
        while true {
            let temp = TemporaryName.make(for: path.name)
            let tempDisk = path.parentDisk + "/" + temp
            let fd = openat(directory.fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            attempts += 1
            guard fd >= 0 else {
                let code = errno
                if code == EEXIST && attempts < TemporaryName.attempts { continue }
                throw ProviderError(SystemError("open", path: tempDisk, code: code))
            }
            let lock = openat(directory.fd, temp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            // Another chainbot's cleanup may have taken the unlocked new file for a leftover: take another.
            if lock < 0 && errno == ENOENT && attempts < TemporaryName.attempts {
                close(fd)
                continue
            }
            guard lock >= 0 else {
                let error = ProviderError.current("open", path: tempDisk)
                close(fd)
                unlinkat(directory.fd, temp, 0)
                throw error
            }
            while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
            if isNamed(temp, in: directory, fd) { return (fd, lock, temp) }
            close(lock)
            close(fd)
            if attempts >= TemporaryName.attempts {
                throw ProviderError(SystemError("open", path: tempDisk, code: ENOENT))
            }
        }
    }

    /// True when `name` in `directory` is still the file open as `fd`.
    private static func isNamed(_ name: String, in directory: OpenDirectory, _ fd: Int32) -> Bool {
        var opened = stat()
        var named = stat()
        return fstat(fd, &opened) == 0 && fstatat(directory.fd, name, &named, AT_SYMLINK_NOFOLLOW) == 0
            && opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }

    private func userID(_ name: String?, path: String) throws(ProviderError) -> uid_t? {
        guard let name else { return nil }
        let id: uid_t?
        do { id = try AccountNames(fileSystem: self).userID(named: name) } catch { throw ProviderError(error) }
        guard let id else { throw ProviderError("no such user '\(name)' (owner of \(path))") }
        return id
    }

    private func groupID(_ name: String?, path: String) throws(ProviderError) -> gid_t? {
        guard let name else { return nil }
        let id: gid_t?
        do { id = try AccountNames(fileSystem: self).groupID(named: name) } catch { throw ProviderError(error) }
        guard let id else { throw ProviderError("no such group '\(name)' (group of \(path))") }
        return id
    }
}
