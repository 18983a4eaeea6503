import ChainbotCore
import Glibc
import Synchronization

extension Testbed {
    private static let reaped = Atomic<Bool>(false)

    /// Stops, once per test process, the testbeds that a killed test process left behind: names of
    /// `uniqueName`'s form `NAME-PID-N` whose PID no longer runs. A killed runner cannot stop its own
    /// (Swift Testing has no teardown a SIGKILL would run), and each left-over systemd holds inotify
    /// instances and memory until someone does; one of a live process is never touched.
    static func stopAbandoned(runner: some CommandRunner) async {
        guard !reaped.exchange(true, ordering: .relaxed) else { return }
        _ = await stopAbandonedTestbeds(runner: runner)
    }

    /// Stops every abandoned testbed now; returns their names.
    @discardableResult
    public static func stopAbandonedTestbeds(runner: some CommandRunner) async -> [String] {
        var stopped: [String] = []
        for name in Fixtures.list(runDirectory) {
            guard let owner = ownerPID(of: name), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else {
                continue
            }
            _ = try? await runner.run(CommandInvocation(scriptPath, ["stop", name], timeout: .seconds(60)))
            stopped.append(name)
        }
        return stopped
    }

    /// Where testbed.sh keeps one directory per running testbed (its `CHAINBOT_TESTBED_STATE`, as the script
    /// reads it).
    static var runDirectory: String {
        let configured = getenv("CHAINBOT_TESTBED_STATE").map { String(cString: $0) } ?? ""
        return configured.isEmpty ? "/run/chainbot-testbed" : configured
    }

    /// The PID in `NAME-PID-N`, or nil for a name of another form (a quickstart's, a person's).
    static func ownerPID(of name: String) -> Int32? {
        let parts = name.split(separator: "-")
        guard parts.count >= 3, Int(parts[parts.count - 1]) != nil else { return nil }
        return Int32(parts[parts.count - 2]).flatMap { $0 > 1 ? $0 : nil }
    }
}
