import Glibc

/// GNU extensions of glibc that the Swift `Glibc` module hides, looked up once at run time.
///
/// Swift's `Glibc` module is built without `_GNU_SOURCE`, so `pipe2` and
/// `posix_spawn_file_actions_addclosefrom_np` are not declared although libc exports them. A C shim
/// target that declares them would be the static alternative; until then `dlsym` finds them, and each
/// is nil where the C library lacks it (closefrom_np needs glibc 2.34).
enum GNULibc {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// `pipe2(fds, flags)`: a pipe whose descriptors get `flags` (O_CLOEXEC) atomically.
    static let pipe2: Pipe2? = lookUp("pipe2", as: Pipe2.self)

    /// `posix_spawn_file_actions_addclosefrom_np(actions, from)`: closes every descriptor ≥ `from` in the child.
    static let addCloseFrom: AddCloseFrom? = lookUp(
        "posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)

    private static func lookUp<Function>(_ name: String, as type: Function.Type) -> Function? {
        // A nil handle is RTLD_DEFAULT on glibc: search the global symbol table.
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
