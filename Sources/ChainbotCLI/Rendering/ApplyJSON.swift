import ChainbotCore
import ChainbotEngine

/// `apply -o json` (and `rollback -o json`): the plan, every step's outcome and the resources by what
/// happened to them (docs/schemas/apply.schema.json).
enum ApplyJSON {
    static func render(_ report: ApplyReport, generation: String, renderer: PlanRenderer) -> JSONValue {
        let results = report.records.map { record -> JSONValue in
            let (outcome, error): (String, JSONValue) =
                switch record.outcome {
                case .succeeded: ("succeeded", .null)
                case .failed(let failure): ("failed", .string(failure.description))
                case .blocked(let blocker): ("blocked", .string("step \(blocker) did not succeed"))
                }
            return .object(
                [("index", .int(record.step.index))] + JSONDocument.resource(record.step.resource) + [
                    ("action", .string(record.step.action.description)), ("outcome", .string(outcome)),
                    ("error", error),
                ])
        }
        return JSONDocument.document([
            ("plan", .object(renderer.members(report.prepared, generation: generation))),
            ("results", .array(results)),
            ("changed", .array(report.changed.map { .string($0.description) })),
            ("unchanged", .array(report.unchanged.map { .string($0.description) })),
            ("failed", .array(report.failed.map { .string($0.description) })),
            ("pruned", .array(report.pruned.map { .string($0.description) })),
            ("revision", report.revision.map { .int(Int($0.id)) } ?? .null), ("converged", .bool(report.converged)),
        ])
    }
}
