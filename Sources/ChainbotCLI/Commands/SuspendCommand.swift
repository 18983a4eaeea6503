import ChainbotCore
import ChainbotStore

/// `chainbot suspend KIND/NAME --for DURATION`: the agent leaves one resource alone for a while.
enum SuspendCommand {
    static let command = Command(
        name: "suspend", summary: "hold one resource: the agent reports it but does not change it",
        usage: "chainbot suspend KIND/NAME --for DURATION [--reason TEXT] [-f PATH]... [--state FILE]",
        help: """
            For DURATION (e.g. 30m, 2h; at most 7d) KIND/NAME is held: the agent and `chainbot apply` keep
            observing it and report its drift, but no step of any resource changes it (not its own, not a
            Port restarting its owner, not a ConfigFile's notify, not a shared firewall table or targets
            file); plans list what was held. `apply --force` overrides the hold once; `chainbot resume
            KIND/NAME` ends it early; it also ends by itself. KIND/NAME must be in the manifests (-f, default
            manifests/ or the configuration's) or applied before.
            """,
        valued: [
            "--for": "for", "--reason": "reason", "--state": "state", "--config": "config", "-f": "filename",
            "--filename": "filename",
        ], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        var optionArguments = arguments
        optionArguments.dropPositional()
        guard let options = EngineOptions.parse(optionArguments, context, command: "suspend") else { return .usage }
        guard let id = ResourceReference.one(arguments, context, command: "suspend") else { return .usage }
        guard let text = arguments.value("for"), let duration = DurationText.parse(text), duration > .zero,
            duration <= .seconds(7 * 24 * 3600)
        else {
            context.stderr.write("chainbot suspend: --for needs a duration up to 7d, like 30m or 2h\n")
            return .usage
        }
        guard let known = knownResources(options, context) else { return .invalidManifests }
        guard known.contains(id) else {
            let hint = Suggestion.closest(to: id.description, in: known.map(\.description)).map {
                "; did you mean \($0)?"
            }
            context.stderr.write(
                "chainbot suspend: \(id) is not in the manifests (\(options.paths.joined(separator: ", "))) and was never applied\(hint ?? "")\n"
            )
            return .usage
        }
        guard let store = options.openStore(context) else { return .failure }
        let until = Timestamp.now().advanced(by: duration)
        do {
            try store.suspend(
                Suspension(id, until: until, reason: arguments.value("reason") ?? "")
            )
            try store.recordEvent(
                Event(
                    type: .normal, reason: .suspended, regarding: id,
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

extension SuspendCommand {
    /// The resources of the manifests and of the store's inventory, or nil after printing why the
    /// manifests cannot be read.
    static func knownResources(_ options: EngineOptions, _ context: CommandContext) -> Set<ResourceID>? {
        guard case .success(let set) = options.loadManifests(context) else { return nil }
        var known = Set(set.resources.map(\.id))
        if let store = options.existingStore(context) {
            for record in (try? store.allApplied()) ?? [] {
                if let kind = Kind(rawValue: record.kind) { known.insert(ResourceID(kind, record.name)) }
            }
        }
        return known
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
            guard try store.resume(id) else {
                context.stderr.write("chainbot resume: \(id) is not suspended\n")
                return .failure
            }
            try store.recordEvent(
                Event(
                    type: .normal, reason: .resumed, regarding: id,
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
