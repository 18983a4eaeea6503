import ChainbotCore
import Glibc

/// An exclusive lock beside a state file (`STATE.lock`, `flock`), so two chainbot processes never
/// apply at once. The kernel drops it when the process dies, so a crash never leaves it stuck.
public final class StateLock: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock for `statePath`, waiting up to `timeout` for another holder; `waiting` is called
    /// once with the holder's pid (when known) if the lock is busy.
    ///
    /// `suffix` names the lock file beside the state file: `.lock` for applying, `.agent.lock` for the one
    /// agent a state file may have.
    public static func acquire(
        for statePath: String, suffix: String = ".lock", timeout: Duration, waiting: (Int32?) -> Void = { _ in }
    ) throws(SystemError) -> StateLock {
        var attempt = try Attempt(statePath + suffix, timeout: timeout)
        while true {
            if let lock = try attempt.next(waiting: waiting) { return lock }
            usleep(50_000)
        }
    }

    /// `acquire`, for async callers (the agent's pass): it waits with `Task.sleep`, so a long wait for a
    /// `chainbot apply` holds no thread of the cooperative pool.
    nonisolated(nonsending) public static func acquire(
        for statePath: String, suffix: String = ".lock", timeout: Duration,
        waiting: (Int32?) -> Void = { _ in }
    ) async throws(SystemError) -> StateLock {
        var attempt = try Attempt(statePath + suffix, timeout: timeout)
        while true {
            if let lock = try attempt.next(waiting: waiting) { return lock }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// One wait for the lock: the open lock file, the deadline, and whether the caller was told.
    private struct Attempt {
        let path: String
        let descriptor: Int32
        let deadline: ContinuousClock.Instant
        var told = false

        init(_ path: String, timeout: Duration) throws(SystemError) {
            try StateLock.createParents(of: path)
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw SystemError.current("open", path: path) }
            self.path = path
            self.descriptor = descriptor
            deadline = ContinuousClock.now + timeout
        }

        /// The lock when it could be taken now; nil when it is busy and the deadline is not reached yet.
        mutating func next(waiting: (Int32?) -> Void) throws(SystemError) -> StateLock? {
            guard flock(descriptor, LOCK_EX | LOCK_NB) != 0 else {
                // Record who holds it, for the next process's message.
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
                return StateLock(path: path, descriptor: descriptor)
            }
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw SystemError("flock", path: path, code: code)
            }
            if !told {
                waiting(StateLock.holder(descriptor))
                told = true
            }
            guard ContinuousClock.now < deadline else {
                close(descriptor)
                throw SystemError("flock", path: path, code: EWOULDBLOCK)
            }
            return nil
        }
    }

    /// Creates the missing directories above `path` (mode 0700: state is private); a relative `path` is
    /// relative to the working directory.
    private static func createParents(of path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").dropLast() {
            current += "/" + component
            if mkdir(current, 0o700) != 0, errno != EEXIST { throw SystemError.current("mkdir", path: current) }
        }
    }

    /// The pid last recorded in the lock file at `path` (who holds it, or held it last), when readable.
    public static func holder(ofLockAt path: String) -> Int32? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return holder(descriptor)
    }

    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).prefix { $0.isNumber })
    }
}
