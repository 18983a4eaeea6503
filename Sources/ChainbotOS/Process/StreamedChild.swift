public import ChainbotCore
import Glibc

/// A long-running child (`nft monitor`, `busctl monitor`) whose standard output is read line by line as it
/// comes, on a thread of its own: argv only, never a shell. When the child ends by itself `onExit` says
/// how (with the tail of its standard error); `stop` ends it (SIGTERM to its process group, then SIGKILL)
/// without calling `onExit`. The invocation's timeout is not used: the child runs until one of those.
public final class StreamedChild: Sendable {
    /// The child's process id (also its process group id).
    public let pid: Int32
    private let wake: (read: Int32, write: Int32)

    /// Starts `invocation`; `onLine` gets each line of standard output without its newline.
    public init(
        _ invocation: CommandInvocation, onLine: @escaping @Sendable (String) -> Void,
        onExit: @escaping @Sendable (String) -> Void
    ) throws(CommandError) {
        let ends: ChildPipe
        do {
            ends = try ChildPipe.make()
            try ChildPipe.setNonBlocking(ends.writeEnd)
        } catch {
            throw .launchFailed(command: invocation.description, reason: "\(error)")
        }
        let child: ChildProcess
        do { child = try ChildProcess.spawn(invocation) } catch {
            ends.closeBoth()
            throw error
        }
        pid = child.pid
        wake = (ends.readEnd, ends.writeEnd)
        let command = invocation.description
        // The thread keeps the object (and so the wake pipe) alive until it ends; `deinit` closes the pipe.
        let streamed = self
        do {
            try DetachedThread.start(name: "cb-stream") {
                let reader = StreamedChildReader(child: child, wake: streamed.wake.read)
                if let reason = reader.run(onLine) { onExit("\(command) \(reason)") }
            }
        } catch {
            child.abandon()
            ends.closeBoth()
            throw .launchFailed(command: command, reason: "\(error)")
        }
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Ends the child and its reader thread; idempotent.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }
}

/// The reader thread's loop over one child's pipes.
private struct StreamedChildReader {
    let child: ChildProcess
    let wake: Int32

    /// Reads until the child closes its output (the reason it ended) or `wake` is written (nil).
    func run(_ onLine: (String) -> Void) -> String? {
        var line: [UInt8] = []
        var errors: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var outputOpen = true
        while outputOpen {
            var fds = [
                pollfd(fd: child.standardOutput, events: Int16(POLLIN), revents: 0),
                pollfd(fd: child.standardError, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[2].revents != 0 {
                child.signalGroup(SIGTERM)
                finish(killAfter: .seconds(2))
                return nil
            }
            if fds[1].revents != 0, let bytes = read(child.standardError, into: &buffer) {
                errors = Array((errors + bytes).suffix(2000))
            }
            guard fds[0].revents != 0 else { continue }
            guard let bytes = read(child.standardOutput, into: &buffer), !bytes.isEmpty else {
                outputOpen = false
                continue
            }
            for byte in bytes {
                if byte == UInt8(ascii: "\n") {
                    onLine(String(decoding: line, as: UTF8.self))
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            }
        }
        let status = finish(killAfter: .seconds(2))
        let tail = String(decoding: errors, as: UTF8.self).split(separator: "\n").last.map { ": \($0)" } ?? ""
        return "ended (\(status))\(tail)"
    }

    /// Some bytes, an empty array at end of file, nil when nothing was ready (EAGAIN, EINTR).
    private func read(_ fd: Int32, into buffer: inout [UInt8]) -> [UInt8]? {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? nil : [] }
        return Array(buffer[..<count])
    }

    /// Reaps the child (SIGKILL to its group after `killAfter`), closes its pipes; how it ended.
    @discardableResult
    private func finish(killAfter: Duration) -> String {
        let deadline = ContinuousClock.now.advanced(by: killAfter)
        var status: WaitStatus?
        while status == nil {
            status = try? WaitStatus.wait(for: child.pid, blocking: false)
            if status != nil { break }
            if ContinuousClock.now >= deadline {
                child.signalGroup(SIGKILL)
                status = try? WaitStatus.wait(for: child.pid, blocking: true)
                break
            }
            usleep(10_000)
        }
        close(child.standardOutput)
        close(child.standardError)
        if let input = child.standardInput { close(input) }
        switch status?.termination {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        case nil: return "not reaped"
        }
    }
}
