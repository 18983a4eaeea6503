import Glibc

/// Owns the `posix_spawn` file actions and attributes for one child, destroying them when released.
///
/// The child gets `stdin` (or /dev/null), `stdout` and `stderr` as descriptors 0, 1 and 2 and nothing
/// else; an empty signal mask; default handling for every signal; and a process group of its own.
final class SpawnSettings {
    var fileActions = posix_spawn_file_actions_t()
    var attributes = posix_spawnattr_t()

    init(standardInput: Int32?, standardOutput: Int32, standardError: Int32) {
        posix_spawn_file_actions_init(&fileActions)
        if let standardInput {
            posix_spawn_file_actions_adddup2(&fileActions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&fileActions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&fileActions, standardError, 2)
        // Descriptors that other code opened without O_CLOEXEC must not reach the child either.
        if let addCloseFrom = GNULibc.addCloseFrom { _ = addCloseFrom(&fileActions, 3) }

        posix_spawnattr_init(&attributes)
        // A parent that blocks or ignores signals (chainbot blocks SIGPIPE while it writes to a child)
        // must not pass that on.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
    }

    deinit {
        posix_spawn_file_actions_destroy(&fileActions)
        posix_spawnattr_destroy(&attributes)
    }
}
