public import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// Creates or replaces the symbolic link at `path`: a link with a temporary hidden name is renamed
    /// over `path`, so the old entry is swapped in one step. `target` is stored as given, not mapped
    /// under the root: the host resolves it when it follows the link.
    public func symlink(_ target: String, at path: String) throws(ProviderError) {
        let link = try HostPath(path, root: root)
        guard !link.name.isEmpty else { throw ProviderError("refusing to link '\(path)': it is the root") }
        guard !target.isEmpty, !target.utf8.contains(0) else {
            throw ProviderError("refusing symbolic link '\(path)' to '\(target)': not a usable target")
        }
        try makeParents(of: link)
        var attempts = 0
        while true {
            let temp = link.parentDisk + "/" + TemporaryName.make(for: link.name)
            if Glibc.symlink(target, temp) != 0 {
                let code = errno
                attempts += 1
                if code == EEXIST && attempts < TemporaryName.attempts { continue }
                throw ProviderError(SystemError("symlink", path: temp, code: code))
            }
            if rename(temp, link.disk) != 0 {
                let error = ProviderError.current("rename", path: link.disk)
                unlink(temp)
                throw error
            }
            return try FileDescriptorIO.syncDirectory(link.parentDisk)
        }
    }

    /// Where the symbolic link at `path` points, or nil when `path` is missing or not a link.
    public func readLink(_ path: String) throws(ProviderError) -> String? {
        let disk = try HostPath(path, root: root).disk
        var size = 256
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBufferPointer { storage -> Int in
                guard let base = storage.baseAddress else { return -1 }
                return readlink(disk, base, storage.count)
            }
            if count < 0 {
                let code = errno
                if code == EINVAL || code == ENOENT || code == ENOTDIR { return nil }
                throw ProviderError(SystemError("readlink", path: disk, code: code))
            }
            // A full buffer may mean a cut-off target: try again with more room.
            if count < size { return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            size *= 2
        }
    }
}
