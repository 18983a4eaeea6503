import ChainbotCore
import ChainbotEngine

/// Prints `[3/7] Service/chainbot: systemctl start chainbot.service ... ok` lines on stderr as steps run.
final class Progress: Sendable {
    let sink: OutputSink
    let total: Int
    let colored: Bool

    init(sink: OutputSink, total: Int, colored: Bool) {
        self.sink = sink
        self.total = total
        self.colored = colored
    }

    func show(_ step: Step, _ outcome: StepOutcome?) {
        let prefix = "[\(step.index + 1)/\(total)] \(step.resource): \(step.action)"
        switch outcome {
        case nil:
            break
        case .succeeded?:
            sink.write(prefix + " ... " + style("ok", "32") + "\n")
        case .failed(let error)?:
            let detail =
                error.detail.isEmpty
                ? "" : "\n" + error.detail.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
            sink.write(prefix + " ... " + style("FAILED", "1;31") + ": " + error.message + detail + "\n")
        case .blocked(let blocker)?:
            sink.write(prefix + " ... " + style("skipped", "33") + " (step \(blocker + 1) did not succeed)\n")
        }
    }

    private func style(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
