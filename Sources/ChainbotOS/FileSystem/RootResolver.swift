import ChainbotCore
import Glibc

/// An open directory descriptor (often `O_PATH`), closed when the value goes away.
final class OpenDirectory {
    let fd: Int32

    init(_ fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

/// Resolves host paths to descriptors inside a filesystem root, so that no symbolic link inside an image
/// root leads out of it: every operation then acts on a directory descriptor and one name in it (`openat`,
/// `renameat`, `unlinkat`, `mkdirat`, `fstatat`, `readlinkat`, `symlinkat`).
///
/// Under an image root links are read as the booted image would read them: an absolute target is taken
/// relative to the root, `..` stops at the root, and after 40 links the path fails (ELOOP). The kernel does
/// this with `openat2(RESOLVE_IN_ROOT)` where it has it (Linux 5.6); elsewhere a walk of one component at a
/// time with `O_PATH|O_NOFOLLOW` does the same. On the live host (root "/") the kernel resolves as usual.
struct RootResolver: Sendable {
    /// How paths are resolved.
    enum Strategy: Sendable, CaseIterable {
        /// The live host: plain paths, the kernel's own resolution.
        case host
        /// `openat2(RESOLVE_IN_ROOT)`, with the walk for creating missing directories.
        case kernelInRoot
        /// One component at a time in user space.
        case walk
    }

    /// The root without trailing slashes: "" for the live host's "/".
    let rootPrefix: String
    let strategy: Strategy

    /// The most symbolic links one path may pass through (the kernel's MAXSYMLINKS).
    static let linkLimit = 40

    /// A resolver for `root`; `strategy` nil picks `openat2` where the kernel has it. The live host always
    /// uses `.host`.
    init(root: String, strategy: Strategy? = nil) {
        rootPrefix = HostPath.trimmedRoot(root)
        if rootPrefix.isEmpty {
            self.strategy = .host
        } else {
            self.strategy = strategy ?? (LinuxResolve.hasOpenInRoot ? .kernelInRoot : .walk)
        }
    }

    /// The directory holding `path`'s last component and that component's name ("." for the root itself),
    /// every link above it followed inside the root; nil when a directory on the way is missing. With
    /// `creating`, missing directories are made instead (mode 0755 whatever the umask).
    func parent(of path: HostPath, creating: Bool = false) throws(ProviderError) -> (OpenDirectory, String)? {
        let name = path.name.isEmpty ? "." : path.name
        switch strategy {
        case .host:
            if creating { try makeHostParents(of: path) }
            let fd = Glibc.open(path.parentDisk, LinuxResolve.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else {
                if creating { throw ProviderError.current("open", path: path.parentDisk) }
                return try Self.missing("open", path.parentDisk)
            }
            return (OpenDirectory(fd), name)
        case .kernelInRoot:
            guard let root = try openRoot(creating: creating) else { return nil }
            let relative = Self.relative(path.components.dropLast())
            let fd = try Self.retryingRace {
                LinuxResolve.openInRoot(root.fd, relative, flags: LinuxResolve.pathOnly | O_DIRECTORY)
            }
            if fd >= 0 { return (OpenDirectory(fd), name) }
            let code = errno
            if (code == ENOENT || code == ENOTDIR) && creating || code == EAGAIN {
                return try walk(path, from: root, followFinal: false, creating: creating)
            }
            return try Self.missing("open", path.parentDisk, code: code)
        case .walk:
            guard let root = try openRoot(creating: creating) else { return nil }
            return try walk(path, from: root, followFinal: false, creating: creating)
        }
    }

    /// The directory holding `path`'s last component, made when missing, and that component's name.
    func makeParent(of path: HostPath) throws(ProviderError) -> (OpenDirectory, String) {
        guard let found = try parent(of: path, creating: true) else {
            // Every strategy throws where it cannot create; this is the backstop.
            throw ProviderError(SystemError("mkdir", path: path.parentDisk, code: ENOTDIR))
        }
        return found
    }

    /// Opens `path` itself with `flags` (close-on-exec added), every link, the last one too, followed
    /// inside the root; nil when it is missing.
    func open(_ path: HostPath, flags: Int32) throws(ProviderError) -> Int32? {
        switch strategy {
        case .host:
            let fd = Glibc.open(path.disk, flags | O_CLOEXEC)
            return fd >= 0 ? fd : try Self.missing("open", path.disk)
        case .kernelInRoot:
            guard let root = try openRoot(creating: false) else { return nil }
            let relative = Self.relative(path.components[...])
            let fd = try Self.retryingRace { LinuxResolve.openInRoot(root.fd, relative, flags: flags) }
            if fd >= 0 { return fd }
            if errno != EAGAIN { return try Self.missing("open", path.disk) }
            return try openFinal(path, from: root, flags: flags)
        case .walk:
            guard let root = try openRoot(creating: false) else { return nil }
            return try openFinal(path, from: root, flags: flags)
        }
    }

    /// Walks to `path`'s last component, following it too, and opens it there without following again.
    private func openFinal(_ path: HostPath, from root: OpenDirectory, flags: Int32) throws(ProviderError) -> Int32? {
        guard let (directory, name) = try walk(path, from: root, followFinal: true, creating: false) else { return nil }
        let fd = openat(directory.fd, name, flags | O_NOFOLLOW | O_CLOEXEC)
        return fd >= 0 ? fd : try Self.missing("open", path.disk)
    }

    /// The root directory, or nil when it does not exist (an error instead when `creating`).
    private func openRoot(creating: Bool) throws(ProviderError) -> OpenDirectory? {
        let fd = Glibc.open(rootPrefix, LinuxResolve.pathOnly | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { return OpenDirectory(fd) }
        if creating { throw ProviderError.current("open", path: rootPrefix) }
        return try Self.missing("open", rootPrefix)
    }

    /// `mkdir -p` of `path`'s parent on the live host, each new directory mode 0755 whatever the umask.
    private func makeHostParents(of path: HostPath) throws(ProviderError) {
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

    /// Components joined for a `*at` call relative to the root; "." for none.
    private static func relative(_ components: ArraySlice<String>) -> String {
        components.isEmpty ? "." : components.joined(separator: "/")
    }

    /// Runs an `openat2` call again while it fails with EAGAIN (a rename raced with `..`), a few times.
    private static func retryingRace(_ call: () -> Int32) throws(ProviderError) -> Int32 {
        var fd = call()
        var attempts = 1
        while fd < 0 && (errno == EAGAIN || errno == EINTR) && attempts < 4 {
            fd = call()
            attempts += 1
        }
        return fd
    }

    /// Nil for "not there" (ENOENT, ENOTDIR) after a failed `operation` on `disk`; throws for anything else.
    static func missing<Value>(_ operation: String, _ disk: String, code: Int32 = errno) throws(ProviderError)
        -> Value?
    {
        if code == ENOENT || code == ENOTDIR { return nil }
        throw ProviderError(SystemError(operation, path: disk, code: code))
    }
}
