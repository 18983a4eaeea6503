import ChainbotCore

/// `chainbot completion bash|zsh`: prints a completion script generated from the same command and option
/// tables the CLI parses with, so a new command or flag completes without anyone editing a script.
enum CompletionCommand {
    static let command = Command(
        name: "completion", summary: "print a bash or zsh completion script",
        usage: "chainbot completion bash|zsh",
        help: """
            Prints a completion script for commands, their options, manifest kinds (--kind, help), each
            command's own output formats (-o), the fields of a kind after `explain KIND.` (asked of chainbot
            while you type), and KIND/NAME from the manifests (-f, else manifests/) for get, suspend and
            resume, generated from chainbot's own command table.

              bash: chainbot completion bash > /usr/share/bash-completion/completions/chainbot
              zsh:  chainbot completion zsh > /usr/share/zsh/vendor-completions/_chainbot

            (contrib/install.sh installs both.) For the current shell only: source <(chainbot completion bash).
            """,
        run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        switch arguments.positional.first {
        case "bash" where arguments.positional.count == 1:
            context.stdout.write(bash(ChainbotCLI.commands))
            return .success
        case "zsh" where arguments.positional.count == 1:
            context.stdout.write(zsh(ChainbotCLI.commands))
            return .success
        default:
            context.stderr.write("chainbot completion: give the shell, bash or zsh\nusage: \(command.usage)\n")
            return .usage
        }
    }

    /// What a command's positional arguments are.
    enum Operand {
        case files, directories, none
        case words([String])
        /// Asked of chainbot while typing: `chainbot __complete WHAT` (`fields`, `resources`).
        case dynamic(String)
    }

    static var kinds: [String] { Kind.allCases.map(\.rawValue) }

    static func operand(of command: Command) -> Operand {
        switch command.name {
        case "explain": .dynamic("fields")
        case "get", "suspend", "resume": .dynamic("resources")
        case "help": .words(ChainbotCLI.commands.map(\.name) + kinds)
        case "completion": .words(["bash", "zsh"])
        case "snapshot": .directories
        case "history", "rollback": .none
        default: .files
        }
    }

    /// What an option's value is, by its canonical name.
    enum Value {
        case files, directories
        case words([String])
    }

    /// `command`'s own formats for `-o` (from its usage line); without a command, every format.
    static func value(of canonical: String, in command: Command? = nil) -> Value {
        switch canonical {
        case "root": .directories
        case "kind": .words(kinds)
        case "output": .words(command.map(CompletionCandidates.outputs) ?? ["text", "json", "yaml", "patch"])
        default: .files
        }
    }

    /// Every spelling of every value option, grouped by canonical name, in a stable order.
    static func valueSpellings(_ commands: [Command]) -> [(canonical: String, spellings: [String])] {
        var grouped: [String: Set<String>] = [:]
        for command in commands {
            for (spelling, canonical) in command.valued { grouped[canonical, default: []].insert(spelling) }
        }
        return grouped.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted()) }
    }

    static func options(of command: Command) -> [String] {
        (Array(command.valued.keys) + Array(command.switches.keys) + ["--help"]).sorted()
    }
}
