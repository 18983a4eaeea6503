import ChainbotCLI
import Glibc

let status = await ChainbotCLI.run(
    Array(CommandLine.arguments.dropFirst()),
    context: CommandContext(
        stdout: .standardOutput, stderr: .standardError, environment: CommandContext.processEnvironment()))
exit(status)
