import Glibc

/// The Linux path-resolution calls and flags that Swift's `Glibc` module hides (it is built without
/// `_GNU_SOURCE`, and glibc has no `openat2` wrapper): `O_PATH` and `openat2(2)` with `RESOLVE_IN_ROOT`.
enum LinuxResolve {
    /// `O_PATH` (010000000 on every Linux architecture chainbot builds for): a descriptor that only names
    /// a place in the tree, for `*at` calls and `fstat`; with `O_NOFOLLOW` it names a symbolic link itself.
    static let pathOnly: Int32 = 0o10_000_000
    /// `RESOLVE_NO_MAGICLINKS`: refuse `/proc/PID/fd/N`-style links, which jump anywhere.
    static let noMagicLinks: UInt64 = 0x02
    /// `RESOLVE_IN_ROOT`: resolve as if the directory were `/` — absolute links and `..` stay inside it.
    static let inRoot: UInt64 = 0x10
    /// The `openat2` system call number: 437 on x86_64 and aarch64 alike (one table for new calls).
    static let openat2Number = 437

    /// `struct open_how` of `openat2(2)`.
    private struct OpenHow {
        var flags: UInt64
        var mode: UInt64
        var resolve: UInt64
    }

    private typealias SystemCall =
        @convention(c) (Int, Int32, UnsafePointer<CChar>, UnsafeRawPointer, Int) -> Int

    /// glibc's `syscall`, which Swift cannot call because it is variadic. glibc implements it in assembly
    /// that moves its integer arguments into the kernel's registers, which the x86_64 and aarch64 Linux
    /// calling conventions place identically for a fixed and a variadic call, so a fixed-argument type
    /// is safe here.
    private static let systemCall: SystemCall? = {
        // A nil handle is RTLD_DEFAULT on glibc: search the global symbol table.
        guard let symbol = dlsym(nil, "syscall") else { return nil }
        return unsafeBitCast(symbol, to: SystemCall.self)
    }()

    /// `openat2(directory, path, how)` resolving `path` inside `directory`: a descriptor, or -1 with `errno` set.
    static func openInRoot(_ directory: Int32, _ path: String, flags: Int32) -> Int32 {
        guard let systemCall else {
            errno = ENOSYS
            return -1
        }
        var how = OpenHow(flags: UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), mode: 0, resolve: inRoot | noMagicLinks)
        return withUnsafeBytes(of: &how) { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -1 }
            return Int32(truncatingIfNeeded: systemCall(openat2Number, directory, path, base, bytes.count))
        }
    }

    /// True when this kernel (5.6 or later) answers `openat2` and no seccomp filter hides it.
    static let hasOpenInRoot: Bool = {
        let directory = open("/", pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return false }
        defer { close(directory) }
        let fd = openInRoot(directory, ".", flags: pathOnly | O_DIRECTORY)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()
}
