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

/// `apply -o json`: the plan, every step's outcome and the counts.
enum ApplyJSON {
    static func render(_ report: ApplyReport, generation: String, renderer: PlanRenderer) -> JSONValue {
        let results = report.records.map { record -> JSONValue in
            let (outcome, error): (String, JSONValue) =
                switch record.outcome {
                case .succeeded: ("succeeded", .null)
                case .failed(let failure): ("failed", .string(failure.description))
                case .blocked(let blocker): ("blocked", .string("step \(blocker) did not succeed"))
                }
            return .object([
                ("index", .int(record.step.index)), ("resource", .string(record.step.resource.description)),
                ("action", .string(record.step.action.description)), ("outcome", .string(outcome)), ("error", error),
            ])
        }
        return .object([
            ("plan", renderer.json(report.prepared, generation: generation)), ("results", .array(results)),
            ("changed", .array(report.changed.map { .string($0.description) })),
            ("unchanged", .array(report.unchanged.map { .string($0.description) })),
            ("failed", .array(report.failed.map { .string($0.description) })),
            ("pruned", .array(report.pruned.map { .string($0.description) })),
            ("revision", report.revision.map { .int(Int($0.id)) } ?? .null), ("converged", .bool(report.converged)),
        ])
    }
}
