import ChainbotOS
import ChainbotTestSupport
import Glibc

/// What both testbed kill-trial suites share: which seeds run, the testbed they run in, and the tally of
/// when each kill came.
enum KillTrialRun {
    /// `CHAINBOT_KILL_SEED` alone when it is set (to rerun one failing trial), else 25 seeds from `first`.
    static func seeds(from first: UInt64) -> (seeds: [UInt64], onlyOne: Bool) {
        if let only = getenv("CHAINBOT_KILL_SEED").flatMap({ UInt64(String(cString: $0)) }) { return ([only], true) }
        return ((0..<UInt64(25)).map { first + $0 }, false)
    }

    /// A testbed named after `name` with `exchange` bound in and the built chainbot installed; `body` gets
    /// the host to run trials on.
    static func with(name: String, exchange: String, _ body: (KillTrialHost) async throws -> Void) async throws {
        try await Testbed.with(name: name, binds: [exchange], runner: SpawnCommandRunner()) { testbed in
            try await testbed.copyIn(Testbed.chainbotBinary, to: KillTrialHost.binary)
            try await body(KillTrialHost(testbed: testbed, exchange: exchange))
        }
    }
}

/// When the kills of a run came, and how many left a change only the step in flight explains.
struct KillTrialTally {
    var count = 0
    var moments: [KillMoment: Int] = [:]
    var inFlight = 0

    mutating func add(_ audit: KillTrialAudit) {
        count += 1
        moments[audit.moment, default: 0] += 1
        inFlight += audit.inFlightOnly.isEmpty ? 0 : 1
    }

    /// `25 trials: 3 before the state file existed, …`.
    var trials: String {
        "\(count) trials: " + KillMoment.allCases.map { "\(moments[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }
}

extension KillTrialAudit {
    /// ` (2 changes in flight)`, or nothing.
    var inFlightNote: String { inFlightOnly.isEmpty ? "" : " (\(inFlightOnly.count) changes in flight)" }
}
