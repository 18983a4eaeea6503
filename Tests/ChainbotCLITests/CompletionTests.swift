import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// `chainbot completion bash|zsh` is generated from the command table: every command, option and kind
/// is in it, and the shells accept the scripts.
@Suite struct CompletionTests {
    static let bashPath = ["/bin/bash", "/usr/bin/bash"].first(where: Fixtures.exists)
    static let zshPath = ["/bin/zsh", "/usr/bin/zsh"].first(where: Fixtures.exists)

    @Test(arguments: ["bash", "zsh"])
    func everyCommandOptionAndKindIsInTheScript(_ shell: String) async {
        let run = await CLIHarness.run(["completion", shell])
        #expect(run.status == 0)
        #expect(!ChainbotCLI.commands.isEmpty)
        for command in ChainbotCLI.commands {
            #expect(
                run.stdout.contains(shell == "bash" ? "\(command.name)) options=" : "(\(command.name))"),
                "\(command.name)")
            for option in Array(command.valued.keys) + Array(command.switches.keys) {
                #expect(run.stdout.contains(option), "\(command.name) \(option)")
            }
        }
        for kind in Kind.allCases { #expect(run.stdout.contains(kind.rawValue)) }
        #expect(run.stdout.contains("snapshot") && run.stdout.contains("completion"))
    }

    @Test func anUnknownShellIsAUsageError() async {
        let run = await CLIHarness.run(["completion", "fish"])
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("chainbot completion: give the shell, bash or zsh\n"))
    }

    @Test(
        .enabled(if: bashPath != nil, "bash is not installed"),
        .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
    func bashCompletesCommandsOptionsKindsFieldsResourcesAndEachCommandsFormats() async throws {
        let work = TemporaryDirectory("chainbot-completion")
        let script = work.write("chainbot.bash", await CLIHarness.run(["completion", "bash"]).stdout)
        // The script asks the binary it completes for (COMP_WORDS[0]) for fields and resources.
        let binary = Fixtures.path(".build/debug/chainbot")
        let manifests = Fixtures.path("manifests")
        // A folder whose name is typed quoted (as readline leaves it in COMP_WORDS).
        work.write(
            "my manifests/set.yaml",
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: web}\nspec: {exec: /usr/bin/true}\n")
        let quoted = "\"'\(work.file("my manifests"))'\""
        let probe = """
            source '\(script)'
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _chainbot; echo "${COMPREPLY[*]}"; }
            complete_words chainbot sn
            complete_words chainbot apply --pr
            complete_words chainbot diff --kind Fire
            complete_words '\(binary)' explain Wa
            complete_words chainbot completion z
            complete_words chainbot diff -o j
            complete_words '\(binary)' explain Service.hard
            complete_words '\(binary)' explain Service.hardening.pri
            complete_words '\(binary)' get -f '\(manifests)' Service/
            complete_words chainbot status -o ''
            complete_words chainbot get -o ''
            complete_words chainbot diff -o p
            complete_words '\(binary)' suspend -f \(quoted) Serv
            """
        let result = try await SpawnCommandRunner().run(CommandInvocation(try #require(Self.bashPath), ["-c", probe]))
        #expect(result.succeeded, "\(result.errorOutput)")
        #expect(
            result.output.split(separator: "\n", omittingEmptySubsequences: false) == [
                "snapshot", "--prune", "Firewall FirewallRule", "WatchtowerTarget", "zsh", "json", "Service.hardening",
                "Service.hardening.privateTmp", "Service/chainbot Service/watchtower", "text json", "text json yaml",
                "patch", "Service/web", "",
            ])
    }

    @Test(.enabled(if: zshPath != nil, "zsh is not installed"))
    func zshParsesTheScriptAndRegistersIt() async throws {
        let work = TemporaryDirectory("chainbot-completion")
        work.write("functions/_chainbot", await CLIHarness.run(["completion", "zsh"]).stdout)
        let zsh = try #require(Self.zshPath)
        let syntax = try await SpawnCommandRunner().run(
            CommandInvocation(zsh, ["-n", work.file("functions/_chainbot")]))
        #expect(syntax.succeeded, "\(syntax.errorOutput)")
        let load = """
            fpath=('\(work.file("functions"))' $fpath); autoload -Uz compinit; compinit -u -d '\(work.file("dump"))'
            print -r -- ${_comps[chainbot]}
            """
        let registered = try await SpawnCommandRunner().run(CommandInvocation(zsh, ["-f", "-c", load]))
        #expect(registered.output == "_chainbot\n", "\(registered.errorOutput)")
    }
}
