import ChainbotCore
import ChainbotEngine
import ChainbotStore

/// `chainbot pin REV`: holds the host at a recorded revision while the manifests move on.
enum PinCommand {
    static let command = Command(
        name: "pin", summary: "hold the host at a recorded revision until unpinned",
        usage: "chainbot pin REV [--reason TEXT] [--state FILE]",
        help: """
            From now on the agent applies the desired set recorded with revision REV (see `chainbot history`)
            instead of the manifests, also while its git source moves on, until `chainbot unpin`.
            `chainbot rollback REV` applies a revision at once and pins it. While pinned, `chainbot apply`
            refuses to apply the manifests over the pin unless --force; `status`, the status page and the
            health report show the pin.
            """,
        valued: ["--reason": "reason", "--state": "state", "--config": "config"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard arguments.positional.count == 1, let id = Int64(arguments.positional[0]) else {
            context.stderr.write("chainbot pin: which revision? usage: \(command.usage)\n")
            return .usage
        }
        var optionArguments = arguments
        optionArguments.dropPositional()
        guard let options = EngineOptions.parse(optionArguments, context, command: "pin") else { return .usage }
        guard let store = options.openStore(context) else { return .failure }
        do {
            let (revision, _) = try Pin.recorded(id, in: store)
            try Pin.set(id, reason: arguments.value("reason") ?? "", at: Timestamp.now(), in: store)
            context.stdout.write(
                "pinned to revision \(id) (generation \(revision.generation)): the agent applies it until chainbot unpin\n"
            )
            return .success
        } catch {
            context.stderr.write("chainbot pin: \(error)\n")
            return .failure
        }
    }
}

/// `chainbot unpin`: the host follows the manifests again.
enum UnpinCommand {
    static let command = Command(
        name: "unpin", summary: "end a pin: the agent follows the manifests again",
        usage: "chainbot unpin [--state FILE]",
        help:
            "Ends `chainbot pin` or the pin `chainbot rollback` set; the agent applies the manifests on its next pass.",
        valued: ["--state": "state", "--config": "config"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let options = EngineOptions.parse(arguments, context, command: "unpin") else { return .usage }
        guard let store = options.openStore(context) else { return .failure }
        do {
            guard let pin = try Pin.current(in: store) else {
                context.stderr.write("chainbot unpin: nothing is pinned in \(options.statePath)\n")
                return .failure
            }
            _ = try Pin.clear(in: store)
            context.stdout.write("unpinned revision \(pin.revision): the agent follows the manifests again\n")
            return .success
        } catch {
            context.stderr.write("chainbot unpin: \(error)\n")
            return .failure
        }
    }
}
