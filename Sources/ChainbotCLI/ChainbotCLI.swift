import ChainbotCore
import ChainbotManifest
import Dispatch

/// The `chainbot` command line: finds the subcommand, parses its options, runs it, returns the exit code.
public enum ChainbotCLI {
    public static let version = "0.1.0"

    static let commands: [Command] = [
        ValidateCommand.command, DiffCommand.command, ApplyCommand.command, HistoryCommand.command,
        RollbackCommand.command, EventsCommand.command, AgentCommand.command, StatusCommand.command, GetCommand.command,
        SuspendCommand.command, ResumeCommand.command, PinCommand.command, UnpinCommand.command, ExplainCommand.command,
        HelpCommand.command,
        SnapshotCommand.command,
        CompletionCommand.command,
    ]

    /// `run` for a synchronous `main`: runs it in a detached task and blocks the calling thread (which
    /// runs no job meanwhile) until it returns.
    public static func runBlocking(_ arguments: [String], context: CommandContext) -> Int32 {
        final class Outcome: @unchecked Sendable {
            let finished = DispatchSemaphore(value: 0)
            var status: Int32 = 0
        }
        let outcome = Outcome()
        Task.detached {
            outcome.status = await run(arguments, context: context)
            outcome.finished.signal()
        }
        outcome.finished.wait()
        return outcome.status
    }

    /// Runs `arguments` (without the program name) and returns the process exit code.
    public static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        guard let first = arguments.first else {
            context.stderr.write(overview)
            return ExitCode.usage.rawValue
        }
        switch first {
        case "--help", "-h":
            context.stdout.write(overview)
            return ExitCode.success.rawValue
        case "--version", "-V", "version":
            context.stdout.write("chainbot \(version)\n")
            return ExitCode.success.rawValue
        default:
            break
        }
        if first == CompletionCandidates.name {
            return CompletionCandidates.run(Array(arguments.dropFirst()), context).rawValue
        }
        if first == FirewallWatchdogCommand.restoreUfw {
            return await FirewallWatchdogCommand.restore(Array(arguments.dropFirst()), context).rawValue
        }
        if first == FirewallWatchdogCommand.name {
            return await FirewallWatchdogCommand.run(Array(arguments.dropFirst()), context).rawValue
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            let hint = Suggestion.closest(to: first, in: commands.map(\.name)).map { " Did you mean '\($0)'?" } ?? ""
            context.stderr.write("chainbot: unknown command '\(first)'.\(hint) See 'chainbot --help'.\n")
            return ExitCode.usage.rawValue
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            context.stdout.write(command.manual)
            return ExitCode.success.rawValue
        }
        do {
            let parsed = try Arguments(rest, valued: command.valued, switches: command.switches)
            return await command.run(parsed, context).rawValue
        } catch {
            context.stderr.write("chainbot \(command.name): \(error.message)\nusage: \(command.usage)\n")
            return ExitCode.usage.rawValue
        }
    }

    /// What `chainbot --help` prints.
    static var overview: String {
        let width = commands.map(\.name.count).max() ?? 0
        let lines = commands.map {
            "  \($0.name)" + String(repeating: " ", count: width - $0.name.count + 3) + $0.summary
        }
        return """
            chainbot \(version): declarative config sync for an ALEX OS Raspberry Pi.

            usage: chainbot COMMAND [OPTIONS]

            commands:
            \(lines.joined(separator: "\n"))

            options:
              -h, --help       show help (also: chainbot help COMMAND)
              -V, --version    print the version

            exit codes: 0 ok, 1 differences (diff), 2 operational failure, 64 usage, 65 invalid manifests.
            Manifest kinds: chainbot explain; one kind: chainbot explain Service.

            """
    }
}

/// `chainbot help [COMMAND|KIND]`.
enum HelpCommand {
    static let name = "help"
    static let summary = "show help for a command or a manifest kind"
    static let usage = "chainbot help [COMMAND | KIND]"
    static let help =
        "Without an argument, lists the commands. With a command, shows its usage; with a kind (Service, Port, …), its schema, as `chainbot explain` does."

    static let command = Command(name: name, summary: summary, usage: usage, help: help, run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let topic = arguments.positional.first else {
            context.stdout.write(ChainbotCLI.overview)
            return .success
        }
        if let command = ChainbotCLI.commands.first(where: { $0.name == topic }) {
            context.stdout.write(command.manual)
            return .success
        }
        // A kind, a kind's field, metadata or a diagnostic code is explained; anything else is not a topic.
        let head = String(topic.split(separator: ".").first ?? "").lowercased()
        let schemas = Kind.allCases.map(\.rawValue) + [FleetInventory.kind, "metadata"]
        guard schemas.contains(where: { $0.lowercased() == head }) || DiagnosticCode(rawValue: topic) != nil else {
            let names = ChainbotCLI.commands.map(\.name) + schemas
            let hint = Suggestion.closest(to: topic, in: names).map { " Did you mean '\($0)'?" } ?? ""
            context.stderr.write(
                "chainbot help: '\(topic)' is not a command, a manifest kind or a diagnostic code.\(hint) "
                    + "See 'chainbot --help'.\n")
            return .usage
        }
        return ExplainCommand.explain(topic, context)
    }
}
