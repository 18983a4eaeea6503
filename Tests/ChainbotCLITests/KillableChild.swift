import ChainbotTestSupport
import Glibc

/// The built `chainbot` run as a child the test can kill at any moment: `posix_spawn` (argv, no shell),
/// standard input and output on /dev/null, standard error on /dev/null or appended to `errorFile`.
final class KillableChild {
    let pid: pid_t
    private var status: Int32?

    /// `blockingAllSignals`: the child starts with every signal blocked, as a child of a thread of
    /// libdispatch's pool does.
    init(
        _ executable: String, _ arguments: [String], errorFile: String? = nil, blockingAllSignals: Bool = false
    ) throws(KillableChildError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, STDERR_FILENO, errorFile ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let all = [executable] + arguments
        var argv: [UnsafeMutablePointer<CChar>?] = all.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if blockingAllSignals {
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, &argv, environ)
        guard spawned == 0 else { throw KillableChildError(message: "posix_spawn \(executable): errno \(spawned)") }
        pid = child
    }

    /// Sends `signal` (SIGKILL by default; a no-op when it already exited) and reaps it; true when the
    /// signal ended it.
    @discardableResult
    func killAndWait(_ signal: Int32 = SIGKILL) -> Bool {
        if status == nil { kill(pid, signal) }
        let status = wait()
        return status & 0x7f == signal
    }

    /// Waits for the child to end; returns the raw wait status.
    func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        status = raw
        return raw
    }

    /// Sends `signal` without waiting (a no-op when it already ended).
    func signal(_ signal: Int32) {
        if status == nil { kill(pid, signal) }
    }

    /// The raw wait status once the child ended, polling for up to `limit`; nil while it still runs.
    func wait(upTo limit: Duration) async throws -> Int32? {
        _ = try await Poll.within(limit) {
            if status != nil { return true }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
            status = raw
            return true
        }
        return status
    }

    deinit {
        if status == nil { killAndWait() }
    }
}

struct KillableChildError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// SplitMix64: a small deterministic generator, so a trial's kill delay is reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
