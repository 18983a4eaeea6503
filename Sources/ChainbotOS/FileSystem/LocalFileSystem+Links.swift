public import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// Creates or replaces the symbolic link at `path`: a link with a temporary hidden name is renamed
    /// over `path`, so the old entry is swapped in one step. `target` is stored as given, not mapped
    /// under the root: the host resolves it when it follows the link (and chainbot, under an image root,
    /// resolves it inside the root). Temporaries that a killed writer left beside `path` are removed first
    /// (`StaleTemporaries`).
    public func symlink(_ target: String, at path: String) throws(ProviderError) {
        let link = try HostPath(path, root: root)
        guard !link.name.isEmpty else { throw ProviderError("refusing to link '\(path)': it is the root") }
        guard !target.isEmpty, !target.utf8.contains(0) else {
            throw ProviderError("refusing symbolic link '\(path)' to '\(target)': not a usable target")
        }
        let (directory, name) = try resolver.makeParent(of: link)
        StaleTemporaries.remove(beside: name, in: directory)
        var attempts = 0
        while true {
            let temp = TemporaryName.make(for: link.name)
            if symlinkat(target, directory.fd, temp) != 0 {
                let code = errno
                attempts += 1
                if code == EEXIST && attempts < TemporaryName.attempts { continue }
                throw ProviderError(SystemError("symlink", path: link.parentDisk + "/" + temp, code: code))
            }
            if renameat(directory.fd, temp, directory.fd, name) != 0 {
                let error = ProviderError.current("rename", path: link.disk)
                unlinkat(directory.fd, temp, 0)
                throw error
            }
            return try FileDescriptorIO.syncDirectory(directory.fd, path: link.parentDisk)
        }
    }

    /// Where the symbolic link at `path` points, or nil when `path` is missing or not a link. Links above
    /// it are followed inside the root; the link itself is read, not followed.
    public func readLink(_ path: String) throws(ProviderError) -> String? {
        let link = try HostPath(path, root: root)
        guard let (directory, name) = try resolver.parent(of: link) else { return nil }
        return try RootResolver.readLink(name, in: directory, disk: link.disk)
    }
}
