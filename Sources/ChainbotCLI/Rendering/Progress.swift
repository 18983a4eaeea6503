import ChainbotCore
import ChainbotEngine
import Synchronization

/// Prints `[3/7] Service/chainbot: systemctl start chainbot.service ... ok` lines on stderr as steps run.
/// A step that runs long is not silent: after 2 s, and every 5 s after that, `... still running (7s)`;
/// and a step that took a second or more says how long (`... ok (10.2s)`).
final class Progress: Sendable {
    let sink: OutputSink
    let total: Int
    let colored: Bool
    /// When a running step is first said to be still running, and how often after that.
    let firstNotice: Duration
    let notices: Duration
    private let state = Mutex(Running())
    private let clock = ContinuousClock()

    private struct Running: Sendable {
        var steps: [Int: (step: Step, started: ContinuousClock.Instant, noticed: ContinuousClock.Instant?)] = [:]
        var ticking = false
    }

    init(
        sink: OutputSink, total: Int, colored: Bool, firstNotice: Duration = .seconds(2),
        notices: Duration = .seconds(5)
    ) {
        self.sink = sink
        self.total = total
        self.colored = colored
        self.firstNotice = firstNotice
        self.notices = notices
    }

    func show(_ step: Step, _ outcome: StepOutcome?) {
        let prefix = "[\(step.index + 1)/\(total)] \(step.resource): \(step.action)"
        guard let outcome else {
            started(step)
            return
        }
        let took = finished(step).map { $0 >= .seconds(1) ? " (\(Self.seconds($0)))" : "" } ?? ""
        switch outcome {
        case .succeeded:
            sink.write(prefix + " ... " + style("ok", "32") + took + "\n")
        case .failed(let error):
            let detail =
                error.detail.isEmpty
                ? "" : "\n" + error.detail.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
            sink.write(prefix + " ... " + style("FAILED", "1;31") + took + ": " + error.message + detail + "\n")
        case .blocked(let blocker):
            sink.write(prefix + " ... " + style("skipped", "33") + " (step \(blocker + 1) did not succeed)\n")
        }
    }

    private func started(_ step: Step) {
        let now = clock.now
        let startTicker = state.withLock { running in
            running.steps[step.index] = (step, now, nil)
            defer { running.ticking = true }
            return !running.ticking
        }
        guard startTicker else { return }
        Task { [self] in await tick() }
    }

    /// True while the notices of running steps are being kept.
    var isTicking: Bool { state.withLock { $0.ticking } }

    /// How long the step ran, or nil when its start was not seen.
    private func finished(_ step: Step) -> Duration? {
        let now = clock.now
        return state.withLock { $0.steps.removeValue(forKey: step.index) }.map { now - $0.started }
    }

    /// Says which steps are still running, until none is; then stops (the next start starts it again).
    private func tick() async {
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            let now = clock.now
            let due: [String]? = state.withLock { running in
                guard !running.steps.isEmpty else {
                    running.ticking = false
                    return nil
                }
                var lines: [String] = []
                for (index, entry) in running.steps.sorted(by: { $0.key < $1.key }) {
                    let next = entry.noticed.map { $0 + notices } ?? entry.started + firstNotice
                    guard now >= next else { continue }
                    running.steps[index]?.noticed = now
                    lines.append(
                        "[\(index + 1)/\(total)] \(entry.step.resource): \(entry.step.action) ... still running ("
                            + Self.seconds(now - entry.started) + ")\n")
                }
                return lines
            }
            guard let due else { return }
            for line in due { sink.write(line) }
        }
    }

    /// `10.2s`: seconds with one decimal.
    static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)s"
    }

    private func style(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
