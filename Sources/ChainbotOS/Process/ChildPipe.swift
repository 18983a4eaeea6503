import Glibc
import Synchronization

/// A pipe between chainbot and a child: both ends close-on-exec, numbered above the standard streams.
struct ChildPipe {
    /// The end the reader holds.
    var readEnd: Int32
    /// The end the writer holds.
    var writeEnd: Int32

    /// Serializes pipe creation with spawning when `pipe2` is missing, so no child inherits a descriptor
    /// in the moment between `pipe` and setting FD_CLOEXEC.
    static let fallbackLock = Mutex(())

    /// Opens a new pipe; both ends are closed in every child unless a file action duplicates them.
    static func make() throws(SystemError) -> ChildPipe {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = GNULibc.pipe2 {
            try SystemError.retrying("pipe2") { pipe2(&ends, O_CLOEXEC) }
        } else {
            try fallbackLock.withLock { _ throws(SystemError) in
                try SystemError.retrying("pipe") { pipe(&ends) }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            }
        }
        var result = ChildPipe(readEnd: ends[0], writeEnd: ends[1])
        do {
            result.readEnd = try aboveStandardStreams(result.readEnd)
            result.writeEnd = try aboveStandardStreams(result.writeEnd)
        } catch {
            result.closeBoth()
            throw error
        }
        return result
    }

    /// Moves `fd` to a number ≥ 3 when it is 0, 1 or 2 (a parent started with closed standard streams), so
    /// the child's `dup2` onto 0, 1 and 2 never overwrites another of its pipes.
    private static func aboveStandardStreams(_ fd: Int32) throws(SystemError) -> Int32 {
        guard fd < 3 else { return fd }
        let moved = try SystemError.retrying("fcntl F_DUPFD_CLOEXEC") { fcntl(fd, F_DUPFD_CLOEXEC, 3) }
        close(fd)
        return moved
    }

    /// Closes both ends (for failure paths before the child exists).
    func closeBoth() {
        close(readEnd)
        close(writeEnd)
    }

    /// Puts `fd` in non-blocking mode; only chainbot's own ends get this, the child's stay blocking.
    static func setNonBlocking(_ fd: Int32) throws(SystemError) {
        let flags = try SystemError.retrying("fcntl F_GETFL") { fcntl(fd, F_GETFL) }
        try SystemError.retrying("fcntl F_SETFL") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }
}
