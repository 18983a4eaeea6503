import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Synchronization
import Testing

@testable import ChainbotProviders

/// Confirm-or-revert through the filesystem seam: the guard and its watchdog meet only in marker files in a
/// real directory; the watchdog runs in this process, as `chainbot firewall-watchdog` would run it.
struct FirewallGuardTests {
    let directory = TemporaryDirectory("chainbot-guard")
    let runner = FakeCommandRunner()

    func makeGuard(_ launcher: InProcessWatchdog) -> FirewallGuard {
        FirewallGuard(
            directory: directory.file("run/firewall"), watchdog: [["chainbot-watchdog"]], launcher: launcher,
            fileSystem: LocalFileSystem())
    }

    @Test func aConfirmedLoadWinsOverTheWatchdogAndLeavesNoMarkers() async throws {
        let launcher = InProcessWatchdog(runner: runner)
        let guardian = makeGuard(launcher)

        let armed = try await guardian.arm(
            revert: "table inet chainbot\n", restore: ["nft", "-f"], timeout: .seconds(600))
        #expect(guardian.confirm(armed))

        #expect(await launcher.outcome() == .confirmed)
        #expect(Fixtures.list(directory.file("run/firewall"), hidden: true) == [])
        #expect(runner.invocations.isEmpty)
    }

    @Test func anUnconfirmedLoadIsRevertedAtTheDeadlineAndALateConfirmLoses() async throws {
        runner.script("nft", ["-f"], output: "")
        let launcher = InProcessWatchdog(runner: runner)
        let guardian = makeGuard(launcher)

        let armed = try await guardian.arm(
            revert: "table inet chainbot\n", restore: ["nft", "-f"], timeout: .milliseconds(200))

        #expect(await launcher.outcome() == .reverted)
        #expect(!guardian.confirm(armed))
        #expect(runner.invocations.map(\.arguments) == [["-f", guardian.path("revert", armed.token)]])
    }
}

/// The waits run on the injected clock: a watchdog that never reports itself armed is given up on when that
/// clock passes the arming limit, not after five seconds of this machine's time.
struct FirewallGuardArmingTests {
    let directory = TemporaryDirectory("chainbot-guard-arming")

    @Test func aWatchdogThatNeverReportsArmedIsStoppedAtTheArmingLimitOfTheInjectedClock() async throws {
        let clock = SteppingClock()
        let silent = SilentLauncher()
        let guardian = FirewallGuard(
            directory: directory.file("firewall"), watchdog: [["silent-watchdog"]], launcher: silent,
            fileSystem: LocalFileSystem(), clock: clock)

        let error = await #expect(throws: ProviderError.self) {
            _ = try await guardian.arm(revert: "", restore: ["nft", "-f"], timeout: .seconds(60))
        }

        #expect(error?.message == "cannot start the firewall revert watchdog; nothing was loaded")
        #expect(error?.detail.contains("'silent-watchdog' did not report itself armed") == true)
        let terminated = silent.process.terminated.load(ordering: .acquiring)
        #expect(terminated)
        #expect(clock.elapsed >= FirewallGuard.armingLimit)
        #expect(Fixtures.list(directory.file("firewall"), hidden: true) == [])
    }
}

/// A clock whose sleeps return at once, moving its time on by what was asked.
final class SteppingClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (left: Instant, right: Instant) -> Bool { left.offset < right.offset }
    }

    private let time = Mutex(Duration.zero)
    var now: Instant { Instant(offset: time.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    var elapsed: Duration { time.withLock { $0 } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        time.withLock { $0 = max($0, deadline.offset) }
    }
}

/// Starts a process that never writes its marker and never exits.
final class SilentLauncher: BackgroundLauncher {
    final class Process: BackgroundProcess {
        let terminated = Atomic(false)
        var pid: Int32 { 0 }
        func hasExited() -> Bool { false }
        func terminate() { terminated.store(true, ordering: .releasing) }
        func stop() { terminate() }
        func reap(within timeout: Duration) -> Bool { true }
    }

    let process = Process()

    func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
        -> any BackgroundProcess
    { process }
}

/// Starts `FirewallWatchdog.watch` in a task from the argv the guard builds.
final class InProcessWatchdog: BackgroundLauncher {
    let runner: any CommandRunner
    private let task = Mutex<Task<FirewallWatchdog.Outcome, Never>?>(nil)

    init(runner: any CommandRunner) { self.runner = runner }

    func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
        -> any BackgroundProcess
    {
        func value(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        }
        guard let directory = value("--dir"), let token = value("--token"),
            let milliseconds = value("--timeout-ms").flatMap(Int64.init), let dash = arguments.firstIndex(of: "--")
        else { throw .launchFailed(command: executable, reason: "unexpected argv \(arguments)") }
        let restore = Array(arguments[(dash + 1)...])
        let runner = self.runner
        let started = Task {
            await FirewallWatchdog.watch(
                directory: directory, token: token, timeout: .milliseconds(milliseconds), restore: restore,
                runner: runner, fileSystem: LocalFileSystem())
        }
        task.withLock { $0 = started }
        return Process(task: started)
    }

    /// What the watchdog ended with.
    func outcome() async -> FirewallWatchdog.Outcome? {
        guard let started = task.withLock({ $0 }) else { return nil }
        return await started.value
    }

    struct Process: BackgroundProcess {
        let task: Task<FirewallWatchdog.Outcome, Never>
        var pid: Int32 { 0 }
        func hasExited() -> Bool { false }
        func terminate() { task.cancel() }
        func stop() { task.cancel() }
        func reap(within timeout: Duration) -> Bool { true }
    }
}
