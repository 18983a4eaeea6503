import ChainbotCore
import Glibc

/// Sees a spawned child through to the end on the calling thread: feeds its standard input, drains its
/// standard output and error with `poll(2)` while it runs, enforces the timeout and the output limit,
/// and reaps it.
struct ChildSupervisor {
    let child: ChildProcess
    let invocation: CommandInvocation
    let limits: SpawnCommandRunner.Limits

    /// How often a child that keeps its pipes open is checked for having exited anyway.
    private static let exitCheckInterval = Duration.milliseconds(100)
    /// The first and the longest pause while waiting for a child whose pipes are closed to exit.
    private static let exitWaitBackoff = (first: Duration.microseconds(20), longest: Duration.milliseconds(20))

    private enum Phase {
        case running
        case terminating(killAt: ContinuousClock.Instant)
        case killed
    }

    private let clock = ContinuousClock()
    private var output: ChildOutput
    private var errors: ChildOutput
    private var input: ChildInput?
    private var status: WaitStatus?
    private var phase = Phase.running
    private var timedOut = false
    /// When chainbot stops waiting for descendants of an exited child to close inherited output pipes.
    private var lingerEnd: ContinuousClock.Instant?

    init(child: ChildProcess, invocation: CommandInvocation, limits: SpawnCommandRunner.Limits) {
        self.child = child
        self.invocation = invocation
        self.limits = limits
        output = ChildOutput(name: "standard output", fd: child.standardOutput)
        errors = ChildOutput(name: "standard error", fd: child.standardError)
        input = child.standardInput.map { ChildInput(fd: $0, bytes: invocation.standardInput ?? []) }
    }

    /// Runs the child to completion and returns what it left behind.
    mutating func run() throws(CommandError) -> CommandResult {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        do {
            try supervise(scratch: scratch)
        } catch {
            if status == nil { child.signalGroup(SIGKILL) }
            closeAll()
            if status == nil { _ = try? WaitStatus.wait(for: child.pid, blocking: true) }
            throw error
        }
        closeAll()
        if timedOut { throw .timedOut(command: invocation.description, after: invocation.timeout) }
        guard let status else { throw ioFailed(SystemError("waitpid", code: ECHILD)) }
        return CommandResult(
            termination: status.termination, standardOutput: output.bytes, standardError: errors.bytes)
    }

    private mutating func supervise(scratch: UnsafeMutableRawBufferPointer) throws(CommandError) {
        let deadline = clock.now + invocation.timeout
        var backoff = Self.exitWaitBackoff.first
        var checkExit = false
        while true {
            let now = clock.now
            if status == nil, checkExit || !outputsOpen || !isRunning { try reapIfExited(now: now) }
            if status == nil { escalate(now: now, deadline: deadline) }
            if status != nil, !outputsOpen || lingerEnd.map({ now >= $0 }) == true { return }

            let nextEvent = nextEventTime(deadline: deadline)
            if outputsOpen {
                checkExit = try pollPipes(timeout: min(Self.exitCheckInterval, nextEvent - now), scratch: scratch)
                backoff = Self.exitWaitBackoff.first
            } else {
                // Both outputs reached EOF, so the child is normally exiting right now; check back soon.
                try waitBriefly(min(backoff, nextEvent - now))
                backoff = min(backoff * 2, Self.exitWaitBackoff.longest)
            }
        }
    }

    private var outputsOpen: Bool { output.fd != nil || errors.fd != nil }

    private var isRunning: Bool {
        if case .running = phase { true } else { false }
    }

    private func nextEventTime(deadline: ContinuousClock.Instant) -> ContinuousClock.Instant {
        switch phase {
        case .running: lingerEnd.map { min($0, deadline) } ?? deadline
        case .terminating(let killAt): lingerEnd.map { min($0, killAt) } ?? killAt
        case .killed: lingerEnd ?? clock.now + Self.exitCheckInterval
        }
    }

    /// Sends SIGTERM at the deadline and SIGKILL when the grace period after it runs out.
    private mutating func escalate(now: ContinuousClock.Instant, deadline: ContinuousClock.Instant) {
        switch phase {
        case .running where now >= deadline:
            timedOut = true
            child.signalGroup(SIGTERM)
            // A stopped process only acts on SIGTERM once continued.
            child.signalGroup(SIGCONT)
            phase = .terminating(killAt: now + limits.killGracePeriod)
        case .terminating(let killAt) where now >= killAt:
            child.signalGroup(SIGKILL)
            phase = .killed
        default:
            break
        }
    }

    /// Reaps the child if it has exited; starts the linger period when descendants still hold its pipes.
    private mutating func reapIfExited(now: ContinuousClock.Instant) throws(CommandError) {
        do {
            status = try WaitStatus.wait(for: child.pid, blocking: false)
        } catch {
            throw ioFailed(error)
        }
        if status != nil, outputsOpen { lingerEnd = now + limits.killGracePeriod }
    }

    /// Polls the open pipes for up to `timeout` and services them; returns true when nothing happened.
    private mutating func pollPipes(
        timeout: Duration, scratch: UnsafeMutableRawBufferPointer
    ) throws(CommandError) -> Bool {
        var fds: [pollfd] = []
        for fd in [output.fd, errors.fd].compactMap({ $0 }) {
            fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        }
        if let fd = input?.fd { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), Self.milliseconds(timeout))
        if ready < 0 {
            let code = errno
            if code == EINTR || code == EAGAIN { return false }
            throw ioFailed(SystemError("poll", code: code))
        }
        if ready == 0 { return true }
        for entry in fds where entry.revents != 0 {
            if entry.revents & Int16(POLLNVAL) != 0 { throw ioFailed(SystemError("poll", code: EBADF)) }
            if entry.fd == output.fd {
                try Self.drain(&output, scratch: scratch, limit: limits.outputLimit, command: invocation.description)
            } else if entry.fd == errors.fd {
                try Self.drain(&errors, scratch: scratch, limit: limits.outputLimit, command: invocation.description)
            } else if entry.fd == input?.fd {
                do { try input?.feed() } catch { throw ioFailed(error) }
            }
        }
        return false
    }

    private static func drain(
        _ stream: inout ChildOutput, scratch: UnsafeMutableRawBufferPointer, limit: Int, command: String
    ) throws(CommandError) {
        do {
            try stream.drain(into: scratch, limit: limit)
        } catch {
            switch error {
            case .limitExceeded: throw .outputLimitExceeded(command: command, stream: stream.name, limit: limit)
            case .readFailed(let cause): throw .ioFailed(command: command, reason: "\(cause)")
            }
        }
    }

    /// Waits up to `duration`, still feeding standard input if the child reads it after closing its outputs.
    private mutating func waitBriefly(_ duration: Duration) throws(CommandError) {
        guard duration > .zero else { return }
        if let fd = input?.fd {
            var entry = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
            if poll(&entry, 1, Self.milliseconds(duration)) > 0 {
                do { try input?.feed() } catch { throw ioFailed(error) }
            }
            return
        }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }

    private mutating func closeAll() {
        output.close()
        errors.close()
        input?.close()
    }

    private func ioFailed(_ error: SystemError) -> CommandError {
        .ioFailed(command: invocation.description, reason: "\(error)")
    }

    /// Converts `duration` to whole milliseconds for `poll`, rounding up and clamping at 0.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }
}
