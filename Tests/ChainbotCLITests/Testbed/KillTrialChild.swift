import ChainbotTestSupport
import Glibc

/// When a trial kills its apply.
enum KillPoint: CustomStringConvertible {
    /// After `milliseconds` since the spawn, or at the first step's progress line if that comes first.
    case afterDelay(milliseconds: Int)
    /// Once the progress line of step `ceil(fraction × steps)` is out (the step finished; its record may not be).
    case atStep(fraction: Double)
    /// Once the apply printed its summary line (the run is recorded; the process has not exited yet).
    case afterSummary

    /// A seeded draw: a fifth by delay (before or during the first step), a tenth after the summary, the rest
    /// spread over the steps.
    static func random(using generator: inout SeededGenerator) -> KillPoint {
        let draw = Double.random(in: 0..<1, using: &generator)
        if draw < 0.2 { return .afterDelay(milliseconds: Int.random(in: 0...50, using: &generator)) }
        if draw < 0.3 { return .afterSummary }
        return .atStep(fraction: Double.random(in: 0..<1, using: &generator))
    }

    var description: String {
        switch self {
        case .afterDelay(let milliseconds): "after \(milliseconds) ms"
        case .atStep(let fraction): "at \(Int(fraction * 100))% of the steps"
        case .afterSummary: "after the summary"
        }
    }
}

/// `chainbot apply` inside the testbed, spawned from the host through `nsenter` (argv, no shell) with its
/// output appended to a host file, so that the test can SIGKILL chainbot itself (nsenter's child, a host PID)
/// at a moment it sees in the output.
final class KillTrialChild {
    private let nsenter: pid_t
    private let outputFile: String
    private var status: Int32?
    /// The capabilities `contrib/testbed/testbed.sh exec` drops, dropped here the same way.
    static let droppedCapabilities = "-sys_module,-sys_time,-wake_alarm,-syslog,-sys_rawio,-mac_admin,-mac_override"

    init(leader: Int32, argv: [String], outputFile: String) throws(KillableChildError) {
        let all =
            [
                "nsenter", "-t", String(leader), "-a", "--", "env", "-i", "LANG=C.UTF-8", "HOME=/root",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "setpriv", "--bounding-set", Self.droppedCapabilities, "--",
            ] + argv
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, STDOUT_FILENO, outputFile, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        var pointers: [UnsafeMutablePointer<CChar>?] = all.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawnp(&child, "nsenter", &actions, nil, &pointers, environ)
        guard spawned == 0 else { throw KillableChildError(message: "posix_spawnp nsenter: errno \(spawned)") }
        nsenter = child
        self.outputFile = outputFile
    }

    deinit {
        if status == nil {
            if let pid = chainbotPID() { kill(pid, SIGKILL) }
            kill(nsenter, SIGKILL)
            _ = waitForExit()
        }
    }

    var output: String { Fixtures.readText(outputFile) ?? "" }

    /// Waits for `point` (polling the output every 2 ms, for at most `limit`), then SIGKILLs chainbot; returns
    /// false when the apply ended first.
    func killChainbot(at point: KillPoint, within limit: Duration = .seconds(60)) async throws -> Bool {
        let clock = ContinuousClock()
        let spawned = clock.now
        var target: String?
        while !hasExited() {
            let text = output
            if ready(point, text, elapsed: clock.now - spawned, target: &target) || clock.now - spawned > limit {
                return killNow()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    /// Waits until `reached(output)` is true (polling every 2 ms, for at most `limit`), then SIGKILLs
    /// chainbot; returns false when the process ended first. For kill moments read off more than the output
    /// (the state file's recorded steps, as the agent trials wait on).
    func killChainbot(within limit: Duration = .seconds(60), when reached: (String) -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let spawned = clock.now
        while !hasExited() {
            if reached(output) || clock.now - spawned > limit { return killNow() }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    /// Whether `point` is reached in `text`; `target` caches the progress prefix an `atStep` point waits for.
    private func ready(_ point: KillPoint, _ text: String, elapsed: Duration, target: inout String?) -> Bool {
        switch point {
        case .afterDelay(let milliseconds):
            return elapsed >= .milliseconds(milliseconds) || text.contains("[1/")
        case .afterSummary:
            return text.contains("\napplied in ") || text.hasPrefix("applied in ")
        case .atStep(let fraction):
            if target == nil, let total = Self.stepCount(text) {
                target = "[\(max(1, Int((fraction * Double(total)).rounded(.up))))/\(total)] "
            }
            return target.map { text.contains($0) } ?? false
        }
    }

    /// N from the first `[k/N] ` progress line.
    private static func stepCount(_ text: String) -> Int? {
        guard let open = text.firstRange(of: "[1/") else { return nil }
        let digits = text[open.upperBound...].prefix { $0.isNumber }
        return text[open.upperBound...].dropFirst(digits.count).first == "]" ? Int(digits) : nil
    }

    /// SIGKILLs chainbot (waiting for nsenter's fork if it has not happened yet) and reaps nsenter; false when
    /// the apply had already ended.
    private func killNow() -> Bool {
        while !hasExited() {
            if let pid = chainbotPID() {
                kill(pid, SIGKILL)
                _ = waitForExit()
                return true
            }
            sched_yield()
        }
        return false
    }

    private func hasExited() -> Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(nsenter, &raw, WNOHANG) } while result < 0 && errno == EINTR
        if result == nsenter { status = raw }
        return status != nil
    }

    private func waitForExit() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(nsenter, &raw, 0) < 0, errno == EINTR {}
        status = raw
        return raw
    }

    /// The host PID of nsenter's child (which execs env, setpriv, then chainbot), from `/proc/*/stat`.
    private func chainbotPID() -> pid_t? {
        for name in Fixtures.list("/proc") {
            guard let pid = pid_t(name), let stat = Fixtures.readText("/proc/\(name)/stat"),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, pid_t(fields[1]) == nsenter { return pid }
        }
        return nil
    }
}
