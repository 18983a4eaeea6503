import ChainbotCore
import ChainbotStore

/// `chainbot suspend KIND/NAME --for DURATION`: the agent leaves one resource alone for a while.
enum SuspendCommand {
    static let command = Command(
        name: "suspend", summary: "hold one resource: the agent reports it but does not change it",
        usage: "chainbot suspend KIND/NAME --for DURATION [--reason TEXT] [--state FILE]",
        help: """
            For DURATION (e.g. 30m, 2h; at most 7d) the agent keeps observing KIND/NAME and reports its
            drift, but runs no step for it. `chainbot resume KIND/NAME` ends it early; it also ends by itself.
            """,
        valued: ["--for": "for", "--reason": "reason", "--state": "state", "--config": "config"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let options = EngineOptions.parse(arguments, context, command: "suspend") else { return .usage }
        guard let id = ResourceReference.one(arguments, context, command: "suspend") else { return .usage }
        guard let text = arguments.value("for"), let duration = DurationText.parse(text), duration > .zero,
            duration <= .seconds(7 * 24 * 3600)
        else {
            context.stderr.write("chainbot suspend: --for needs a duration up to 7d, like 30m or 2h\n")
            return .usage
        }
        guard let store = options.openStore(context) else { return .failure }
        let until = Timestamp.now().advanced(by: duration)
        do {
            try store.suspend(
                Suspension(kind: id.kind.rawValue, name: id.name, until: until, reason: arguments.value("reason") ?? "")
            )
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Suspended", regardingKind: id.kind.rawValue, regardingName: id.name,
                    message: "suspended for \(DurationText.format(duration))"
                        + (arguments.value("reason").map { ": \($0)" } ?? "")),
                outboxPayload: nil)
        } catch {
            context.stderr.write("chainbot suspend: \(error)\n")
            return .failure
        }
        context.stdout.write("\(id) suspended until \(until.iso8601).\n")
        return .success
    }
}

/// `chainbot resume KIND/NAME`: ends a suspension.
enum ResumeCommand {
    static let command = Command(
        name: "resume", summary: "end a suspension: the agent manages the resource again",
        usage: "chainbot resume KIND/NAME [--state FILE]",
        help: "Ends `chainbot suspend` for KIND/NAME; the agent corrects it on its next pass.",
        valued: ["--state": "state", "--config": "config"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let options = EngineOptions.parse(arguments, context, command: "resume") else { return .usage }
        guard let id = ResourceReference.one(arguments, context, command: "resume") else { return .usage }
        guard let store = options.openStore(context) else { return .failure }
        do {
            guard try store.resume(kind: id.kind.rawValue, name: id.name) else {
                context.stderr.write("chainbot resume: \(id) is not suspended\n")
                return .failure
            }
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Resumed", regardingKind: id.kind.rawValue, regardingName: id.name,
                    message: "resumed"),
                outboxPayload: nil)
        } catch {
            context.stderr.write("chainbot resume: \(error)\n")
            return .failure
        }
        context.stdout.write("\(id) resumed.\n")
        return .success
    }
}
