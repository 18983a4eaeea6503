import ChainbotCore
import Glibc
import Synchronization

/// A real systemd booted as PID 1 in throwaway namespaces on an overlay of the host root, by
/// `contrib/testbed/testbed.sh` (root only; see contrib/testbed/README.md).
///
/// Prefer `Testbed.with(name:binds:runner:_:)`, which always stops the testbed: Swift Testing has no async
/// teardown. A testbed that is released without `stop()` is stopped synchronously in `deinit`.
public final class Testbed: Sendable {
    /// The unique name given to the script: the caller's name, this process's pid and a counter.
    public let name: String
    /// The host PID of the testbed's systemd (PID 1 inside).
    public let leader: Int32
    private let runner: any CommandRunner
    private let stopped = Mutex(false)

    /// `contrib/testbed/testbed.sh` in this checkout, found from this file's path.
    public static let scriptPath = Fixtures.path("contrib/testbed/testbed.sh")

    private static let counter = Atomic<Int>(0)

    private init(name: String, leader: Int32, runner: any CommandRunner) {
        self.name = name
        self.leader = leader
        self.runner = runner
    }

    deinit {
        if !markStopped() { Self.stopSynchronously(name) }
    }

    /// Nil when a testbed can be started here; otherwise why not, for a test to report as its skip reason.
    public static func availability() -> String? {
        if geteuid() != 0 { return "the testbed needs root" }
        if access("/lib/systemd/systemd", X_OK) != 0 {
            return "systemd is not installed (/lib/systemd/systemd; apt-get install systemd)"
        }
        for tool in ["unshare", "nsenter"] where !inPath(tool) { return "'\(tool)' is not installed (util-linux)" }
        if access(scriptPath, X_OK) != 0 { return "the testbed script is missing: \(scriptPath)" }
        return nil
    }

    /// Boots a testbed named after `name` with each of `binds` (absolute host directories) mounted read-write
    /// at the same path inside; returns once systemd reports `running` or `degraded`.
    public static func start(
        name: String, binds: [String] = [], runner: some CommandRunner, bootTimeout: Duration = .seconds(30)
    ) async throws -> Testbed {
        if let reason = availability() { throw Failure.unavailable(reason) }
        await stopAbandoned(runner: runner)
        let unique = uniqueName(name)
        let seconds = wholeSeconds(bootTimeout)
        let invocation = CommandInvocation(
            scriptPath, ["start", unique] + binds.flatMap { ["--bind", $0] },
            environment: ["CHAINBOT_TESTBED_BOOT_TIMEOUT": String(seconds)],
            // Room for the script's own teardown after its boot timeout.
            timeout: .seconds(seconds + 30))
        let result: CommandResult
        do {
            result = try await runner.run(invocation)
        } catch {
            // The script tears down on SIGTERM, but a SIGKILL after the runner's grace period would not.
            await stop(unique, runner: runner)
            throw error
        }
        let text = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.succeeded, let leader = Int32(text), leader > 1 else {
            // 73: the name belongs to another testbed; it is not ours to stop.
            if result.termination != .exited(73) { await stop(unique, runner: runner) }
            throw Failure.startFailed(name: unique, termination: result.termination, message: result.errorOutput)
        }
        return Testbed(name: unique, leader: leader, runner: runner)
    }

    /// Starts a testbed, runs `body` with it and stops it however `body` ends.
    public static func with<T>(
        name: String, binds: [String] = [], runner: some CommandRunner, _ body: (Testbed) async throws -> T
    ) async throws -> T {
        let testbed = try await start(name: name, binds: binds, runner: runner)
        do {
            let value = try await body(testbed)
            await testbed.stop()
            return value
        } catch {
            await testbed.stop()
            throw error
        }
    }

    /// Runs `argv` inside the testbed (`nsenter` into all its namespaces; no shell, working directory `/`,
    /// a clean environment with the caller's `PATH`) under coreutils `timeout`, and returns its result.
    ///
    /// Throws `CommandError.timedOut` when `argv` outlives `timeout`.
    public func exec(
        _ argv: [String], timeout: Duration = .seconds(60), standardInput: [UInt8]? = nil
    ) async throws -> CommandResult {
        guard !argv.isEmpty else { throw Failure.emptyCommand }
        if stopped.withLock({ $0 }) { throw Failure.notRunning(name) }
        let seconds = Self.wholeSeconds(timeout)
        // `timeout` runs inside, so an expired command dies there instead of outliving its nsenter.
        let invocation = CommandInvocation(
            Self.scriptPath, ["exec", name, "timeout", "--kill-after=5", "\(seconds)s"] + argv,
            standardInput: standardInput, timeout: .seconds(seconds + 15))
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await runner.run(invocation)
        // 124: timeout's own status after TERM; 137: after the KILL that follows --kill-after.
        if result.termination == .exited(124) || result.termination == .exited(137),
            clock.now - started >= .seconds(seconds)
        {
            throw CommandError.timedOut(
                command: CommandInvocation(argv[0], Array(argv.dropFirst())).description,
                after: timeout)
        }
        return result
    }

    /// Powers the testbed off and removes its cgroups and state; only the first call does anything.
    public func stop() async {
        guard !markStopped() else { return }
        await Self.stop(name, runner: runner)
    }

    /// Sets the stopped flag; returns whether it was already set.
    private func markStopped() -> Bool {
        stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return wasStopped
        }
    }

    private static func stop(_ name: String, runner: some CommandRunner) async {
        // A failed stop has already said what it left behind on the script's standard error.
        _ = try? await runner.run(CommandInvocation(scriptPath, ["stop", name], timeout: .seconds(60)))
    }

    /// Runs `testbed.sh stop NAME` with `posix_spawn` and waits for it, blocking the calling thread.
    private static func stopSynchronously(_ name: String) {
        let strings: [String] = [scriptPath, "stop", name]
        var argv: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { for pointer in argv { free(pointer) } }
        argv.append(nil)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = argv.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { posix_spawn(&pid, scriptPath, &actions, nil, $0, environ) } ?? ENOMEM
        }
        guard spawned == 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    /// `name` reduced to the script's alphabet and made unique per process and call.
    private static func uniqueName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        let cleaned = String(name.prefix(40).map { allowed.contains($0) ? $0 : "-" })
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return "\(cleaned.isEmpty ? "testbed" : cleaned)-\(getpid())-\(count)"
    }

    /// `duration` rounded up to whole seconds, at least 1.
    private static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    private static func inPath(_ tool: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(tool)", X_OK) == 0 }
    }
}

extension Testbed {
    /// Writes `text` to `path` inside the testbed, creating its directory, by rename (as editors do).
    public func writeFile(_ path: String, _ text: String) async throws {
        let result = try await exec(
            ["sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"", "sh", path],
            standardInput: Array(text.utf8))
        guard result.succeeded else { throw Failure.commandFailed("writing \(path): \(result.errorOutput)") }
    }

    /// One property of a unit, as `systemctl show --value --property=NAME UNIT` prints it.
    public func unitProperty(_ name: String, of unit: String) async throws -> String {
        let result = try await exec(["systemctl", "show", "--value", "--property=\(name)", unit])
        return String(result.output.prefix { $0 != "\n" })
    }
}

extension Testbed {
    /// Why a testbed could not be started or used.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The host cannot run a testbed (not root, no systemd, no unshare/nsenter, no script).
        case unavailable(String)
        /// `testbed.sh start` failed; `message` is its standard error, which names the step.
        case startFailed(name: String, termination: CommandResult.Termination, message: String)
        /// `exec` after `stop`.
        case notRunning(String)
        /// `exec` with no command.
        case emptyCommand
        /// A helper's command failed inside the testbed (what it printed).
        case commandFailed(String)

        public var description: String {
            switch self {
            case .unavailable(let reason): "testbed unavailable: \(reason)"
            case .startFailed(let name, let termination, let message):
                "testbed '\(name)' did not start (\(termination)):\n\(message)"
            case .notRunning(let name): "testbed '\(name)' is stopped"
            case .emptyCommand: "testbed exec needs a command"
            case .commandFailed(let message): "testbed command failed: \(message)"
            }
        }
    }
}

extension Testbed {
    /// The `chainbot` binary testbed tests run: `CHAINBOT_TEST_BINARY` when set (to try a build from another
    /// path, such as one under /tmp), else this checkout's debug build.
    public static var chainbotBinary: String {
        if let value = getenv("CHAINBOT_TEST_BINARY").map({ String(cString: $0) }), !value.isEmpty { return value }
        return Fixtures.path(".build/debug/chainbot")
    }

    /// The host directories a testbed needs bound to see this checkout and `chainbotBinary`: the package root,
    /// and the binary's directory when it lies outside it.
    public static var checkoutBinds: [String] {
        let binary = chainbotBinary
        let directory = String(binary[..<(binary.lastIndex(of: "/") ?? binary.startIndex)])
        if directory.isEmpty || binary.hasPrefix(Fixtures.packageRoot + "/") { return [Fixtures.packageRoot] }
        return [Fixtures.packageRoot, directory]
    }

    /// Copies the host file `hostPath` to `path` inside the testbed (its own overlay, so no bind and no
    /// `PrivateTmp=` can hide it from a unit) with `mode`, creating the directories; through the root of the
    /// testbed's systemd as the host sees it, `/proc/LEADER/root`.
    public func copyIn(_ hostPath: String, to path: String, mode: String = "0755") async throws {
        let result = try await runner.run(
            CommandInvocation("install", ["-D", "-m", mode, "--", hostPath, "/proc/\(leader)/root\(path)"]))
        guard result.succeeded else {
            throw Failure.commandFailed("copying \(hostPath) to \(path): \(result.errorOutput)")
        }
    }
}
