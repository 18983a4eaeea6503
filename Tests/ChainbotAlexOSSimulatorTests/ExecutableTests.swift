import ChainbotCore
import Glibc
import Testing

@testable import ChainbotHTTP

/// The `chainbot-alexos-sim` executable, run as a real process beside the test bundle.
@Suite struct ExecutableTests {
    /// The executable in the same build directory as the running test bundle.
    static let binary: String = {
        var path = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &path, path.count - 1)
        let executable = count > 0 ? String(decoding: path[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let directory = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        return directory.joined(separator: "/") + "/chainbot-alexos-sim"
    }()

    @Test(.enabled(if: access(binary, X_OK) == 0, "chainbot-alexos-sim is not built next to the tests"))
    func printsTheBoundPortFirstServesAndExitsZeroOnSIGTERM() async throws {
        let process = try SimulatorProcess(binary: Self.binary, arguments: ["--listen", "127.0.0.1:0"])
        defer { process.killIfRunning() }
        let firstLine = try await process.readFirstLine()
        let port = try #require(Int(firstLine))
        let health = try await HTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(port)/api/status/health"))

        #expect(try health.jsonValue()["status"] == .string("healthy"))
        #expect(try await process.terminate() == 0)
    }

    @Test(.enabled(if: access(binary, X_OK) == 0, "chainbot-alexos-sim is not built next to the tests"))
    func unknownArgumentIsAUsageError() async throws {
        let process = try SimulatorProcess(binary: Self.binary, arguments: ["--bogus"])
        #expect(try await process.waitForExit() == 64)
    }
}

/// A child process with its stdout on a pipe, spawned with `posix_spawn` (argv, no shell).
final class SimulatorProcess: Sendable {
    let pid: pid_t
    let output: Int32

    init(binary: String, arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HTTPError(.system, message: "pipe failed") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, binary, &actions, nil, argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw HTTPError(.system, message: "posix_spawn failed: \(status)")
        }
        pid = child
        output = fds[0]
    }

    deinit { close(output) }

    /// The first line the child writes to stdout (blocking reads, off the cooperative pool).
    func readFirstLine() async throws -> String {
        let fd = output
        return try await Self.offPool {
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while read(fd, &byte, 1) == 1, byte != 0x0a { line.append(byte) }
            return String(decoding: line, as: UTF8.self)
        }
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async throws -> Int32 {
        kill(pid, SIGTERM)
        return try await waitForExit()
    }

    func waitForExit() async throws -> Int32 {
        let pid = pid
        return try await Self.offPool {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS: the low 7 bits are 0 for a normal exit, the status is in the next 8.
            return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
        }
    }

    func killIfRunning() {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
    }

    /// Runs a blocking call on its own thread, so the cooperative pool stays free.
    private static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do { try WorkerThread.start { continuation.resume(returning: body()) } } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
