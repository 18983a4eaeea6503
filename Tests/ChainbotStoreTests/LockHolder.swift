import Glibc

/// A second process that holds a SQLite write lock on a file for a while: `python3` with its `sqlite3`
/// module, spawned with `posix_spawnp` (argv only, no shell).
final class LockHolder {
    /// The `python3` on `PATH`, or nil when there is none (the tests that need it are skipped).
    static let python3: String? = {
        guard let path = getenv("PATH").map({ String(cString: $0) }) else { return nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/python3"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }()

    // Takes the write lock, writes a row, tells the parent, holds the lock, then commits.
    private static let script = """
        import sqlite3, sys, time
        db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO store_meta (key, value) VALUES ('python', 'was here')")
        sys.stdout.write("locked\\n")
        sys.stdout.flush()
        time.sleep(float(sys.argv[2]))
        db.execute("COMMIT")
        """

    private let pid: pid_t
    private var waited = false

    /// Starts the child on `databasePath` and returns once it holds the write lock.
    init(databasePath: String, holdSeconds: Double) throws(TestSetupError) {
        guard let python3 = Self.python3 else { throw TestSetupError("python3 is not on PATH") }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TestSetupError("pipe", errno: errno) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Other children must not inherit either end; dup2 below clears the flag on the child's stdout.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, STDOUT_FILENO)

        let arguments = [python3, "-c", Self.script, databasePath, String(holdSeconds)]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, python3, &actions, nil, &argv, environ)
        close(writeEnd)
        guard spawned == 0 else { throw TestSetupError("posix_spawn \(python3)", errno: spawned) }
        pid = child

        // The child writes "locked\n" once it holds the lock; end of file means it died first.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                var status: Int32 = 0
                waitpid(child, &status, 0)
                waited = true
                throw TestSetupError("python3 exited before taking the lock (wait status \(status))")
            }
            received += buffer[..<count]
        }
    }

    /// Waits for the child to commit and exit; returns its exit status (0 on success).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        waited = true
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }

    deinit {
        if !waited {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
