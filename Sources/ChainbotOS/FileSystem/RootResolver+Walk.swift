import ChainbotCore
import Glibc

extension RootResolver {
    /// Resolves `path` one component at a time from `root`, reading each symbolic link itself: an absolute
    /// target starts again at the root, `..` never climbs above it, and more than `linkLimit` links fail
    /// with ELOOP. Returns the directory holding the last component and its name (a link there is followed
    /// only with `followFinal`); nil when a directory on the way is missing, unless `creating` makes it.
    func walk(_ path: HostPath, from root: OpenDirectory, followFinal: Bool, creating: Bool) throws(ProviderError)
        -> (OpenDirectory, String)?
    {
        // Still to resolve, the next one last; links push their target's components here.
        var pending = Array(path.components.reversed())
        // The directories entered below the root, and their names (for error messages).
        var entered: [(directory: OpenDirectory, name: String)] = []
        var links = 0
        func current() -> OpenDirectory { entered.last?.directory ?? root }
        func disk(_ name: String) -> String {
            ([rootPrefix] + entered.map(\.name) + [name]).joined(separator: "/")
        }

        while let component = pending.popLast() {
            let isLast = pending.isEmpty
            if component == "." || component.isEmpty {
                if isLast { return (current(), ".") }
                continue
            }
            if component == ".." {
                if !entered.isEmpty { entered.removeLast() }
                if isLast { return (current(), ".") }
                continue
            }
            if isLast && !followFinal { return (current(), component) }
            var status = stat()
            if fstatat(current().fd, component, &status, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = errno
                if code == ENOENT && isLast { return (current(), component) }
                if code == ENOENT && creating {
                    entered.append((try Self.makeDirectory(component, in: current(), disk: disk(component)), component))
                    continue
                }
                return try Self.missing("stat", disk(component), code: code)
            }
            if status.st_mode & S_IFMT == S_IFLNK {
                guard let target = try Self.followedLink(component, of: path, in: current(), disk: disk, links: &links)
                else { return nil }
                if target.hasPrefix("/") { entered.removeAll() }
                let parts = target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                pending.append(contentsOf: parts.reversed())
                if parts.isEmpty && pending.isEmpty { return (current(), ".") }
                continue
            }
            if isLast { return (current(), component) }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                if creating { throw ProviderError(SystemError("mkdir", path: disk(component), code: ENOTDIR)) }
                return try Self.missing("open", disk(component), code: ENOTDIR)
            }
            let fd = openat(current().fd, component, LinuxResolve.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            // A link swapped in since the fstatat fails here (ELOOP or ENOTDIR), so nothing is followed.
            guard fd >= 0 else { return try Self.missing("open", disk(component)) }
            entered.append((OpenDirectory(fd), component))
        }
        return (current(), ".")
    }

    /// The target of link `name`, counted against `linkLimit` (ELOOP past it); an empty target names
    /// nothing (ENOENT), as the kernel has it.
    private static func followedLink(
        _ name: String, of path: HostPath, in directory: OpenDirectory, disk: (String) -> String, links: inout Int
    ) throws(ProviderError) -> String? {
        links += 1
        guard links <= linkLimit else { throw ProviderError(SystemError("resolve", path: path.disk, code: ELOOP)) }
        let target = try linkTarget(name, in: directory, disk: disk(name))
        if target.isEmpty { return try missing("readlink", disk(name), code: ENOENT) }
        return target
    }

    /// Makes directory `name` in `parent` with mode 0755 whatever the umask, or opens it when another
    /// process made it first; a link swapped in is refused, never followed.
    private static func makeDirectory(_ name: String, in parent: OpenDirectory, disk: String) throws(ProviderError)
        -> OpenDirectory
    {
        let made = mkdirat(parent.fd, name, 0o755) == 0
        if !made && errno != EEXIST { throw ProviderError.current("mkdir", path: disk) }
        let fd = openat(parent.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ProviderError.current("open", path: disk) }
        let directory = OpenDirectory(fd)
        if made && fchmod(fd, 0o755) != 0 { throw ProviderError.current("chmod", path: disk) }
        return directory
    }

    /// Where link `name` in `directory` points.
    static func linkTarget(_ name: String, in directory: OpenDirectory, disk: String) throws(ProviderError) -> String {
        guard let target = try readLink(name, in: directory, disk: disk) else {
            throw ProviderError(SystemError("readlink", path: disk, code: EINVAL))
        }
        return target
    }

    /// Where link `name` in `directory` points, or nil when it is missing or not a link.
    static func readLink(_ name: String, in directory: OpenDirectory, disk: String) throws(ProviderError) -> String? {
        var size = 256
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBufferPointer { storage -> Int in
                guard let base = storage.baseAddress else { return -1 }
                return readlinkat(directory.fd, name, base, storage.count)
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
