import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// `chainbot completion zsh` in a real interactive zsh: a `zsh -f` drives another on a pseudo-terminal
/// (`zsh/zpty`), types a command line and TAB, and the completion system's own matching decides what is
/// offered; a `compadd` wrapper records the matches (`compadd -O`) before adding them as usual.
@Suite struct ZshCompletionTests {
    static let zshPath = ["/bin/zsh", "/usr/bin/zsh"].first(where: Fixtures.exists)
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test(
        .enabled(if: zshPath != nil, "zsh is not installed"),
        .enabled(if: Fixtures.exists(binary), "the chainbot binary is not built"))
    func zshCompletesCommandsOptionsKindsFieldsResourcesAndEachCommandsFormats() async throws {
        let work = TemporaryDirectory("chainbot-zsh")
        work.write("functions/_chainbot", await CLIHarness.run(["completion", "zsh"]).stdout)
        // A manifest folder whose name needs quoting on the command line.
        let manifests = work.file("my manifests")
        work.write(
            "my manifests/set.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata: {name: web}
            spec: {exec: /usr/bin/true}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: motd}
            spec: {path: /etc/motd, content: "hi\\n"}
            """)
        // Typed as a path (not on the shell's PATH): the script must ask the chainbot being completed. A
        // link in the temporary directory, since zsh finds no completion for a command word typed quoted.
        let chainbot = work.file("bin/chainbot")
        mkdir(work.file("bin"), 0o755)
        try #require(symlink(Self.binary, chainbot) == 0)
        let lines = [
            "chainbot ex",
            "chainbot apply --pr",
            "chainbot diff --kind Fire",
            "chainbot completion z",
            "chainbot status -o ",
            "chainbot get -o ",
            "chainbot diff -o p",
            "\(chainbot) explain Serv",
            "\(chainbot) explain Service.hard",
            "\(chainbot) explain Service.hardening.pri",
            "\(chainbot) get -f \(ZshProbe.quoted(manifests)) ",
            "\(chainbot) suspend --filename \(ZshProbe.quoted(manifests)) Serv",
        ]
        let offered = try await ZshProbe(zsh: try #require(Self.zshPath), work: work).complete(lines)

        #expect(
            offered == [
                ["explain"], ["--prune"], ["Firewall", "FirewallRule"], ["zsh"], ["json", "text"],
                ["json", "text", "yaml"], ["patch"], ["Service"], ["Service.hardening"],
                ["Service.hardening.privateTmp"], ["ConfigFile/motd", "Service/web"], ["Service/web"],
            ])
    }

    @Test(.enabled(if: zshPath != nil, "zsh is not installed"))
    func commandDescriptionsKeepTheirApostrophes() async throws {
        let work = TemporaryDirectory("chainbot-zsh")
        let script = work.write("_chainbot", await CLIHarness.run(["completion", "zsh"]).stdout)
        // Evaluates the script's `commands=(…)` list in zsh and prints `status`'s entry.
        let probe = """
            _describe() { print -r -- ${(M)commands:#status:*} }
            source '\(script)'
            CURRENT=2
            _chainbot
            """
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(try #require(Self.zshPath), ["-f", "-c", probe], timeout: .seconds(120)))
        #expect(
            result.output == "status:the agent's state and every resource's sync and health\n", "\(result.errorOutput)")
    }
}

/// Runs command lines through zsh's completion on a pseudo-terminal and reads back what was offered.
struct ZshProbe {
    let zsh: String
    let work: TemporaryDirectory

    /// `text` in single quotes for zsh.
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// The sorted matches zsh offers for each line, as if TAB was pressed at its end.
    func complete(_ lines: [String]) async throws -> [[String]] {
        let out = work.file("offered")
        work.write("init.zsh", initScript(out: out))
        let driver = work.write("driver.zsh", driverScript(out: out))
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(zsh, ["-f", driver] + lines, timeout: .seconds(600)))
        #expect(result.succeeded, "\(result.output) \(result.errorOutput)")
        var chunks: [[String]] = [[]]
        for line in (Fixtures.readText(out) ?? "").split(separator: "\n").map(String.init) {
            if line == "--end--" { chunks.append([]) } else { chunks[chunks.count - 1].append(line) }
        }
        return chunks.dropLast().map { Array(Set($0)).sorted() }
    }

    /// The inner shell's setup: the script on `fpath`, compinit, a `compadd` that records its matches in
    /// `out`, and TAB bound to a completion widget that records the end of each completion and then
    /// neither inserts nor lists (the line stays as typed).
    private func initScript(out: String) -> String {
        """
        PS1='' PS2='' RPS1='' PROMPT_EOL_MARK=''
        path=(/usr/bin /bin)
        fpath=(\(Self.quoted(work.file("functions"))) $fpath)
        autoload -Uz compinit && compinit -u -D
        zstyle ':completion:*' insert-tab false
        typeset -g __offered=\(Self.quoted(out))
        compadd() {
            # Calls that only ask (-O, -A, -D) are the completion system's own bookkeeping.
            if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
            local -a __matches
            builtin compadd -O __matches "$@"
            (( $#__matches )) && print -rl -- $__matches >> $__offered
            builtin compadd "$@"
        }
        __record() { _main_complete; compstate[list]=''; compstate[insert]=''; print -r -- --end-- >> $__offered }
        zle -C __record complete-word __record
        bindkey '^I' __record

        """
    }

    /// Starts the inner shell, types each argument and TAB, waits (at most 120 s) for its completion to
    /// end, then clears the line.
    private func driverScript(out: String) -> String {
        """
        zmodload zsh/zpty zsh/zselect || exit 3
        : > \(Self.quoted(out))
        zpty -b inner zsh -f -i
        zpty -w inner "source \(Self.quoted(work.file("init.zsh")).replacing("\"", with: "\\\""))"
        integer ends=0 count
        local -a recorded
        for line in "$@"; do
            zpty -w -n inner "$line"$'\\t'
            (( ends++ ))
            for tick in {1..2400}; do
                while zpty -r -t inner junk '*' 2>/dev/null; do :; done
                recorded=("${(@f)$(<\(Self.quoted(out)))}")
                count=${#${(M)recorded:#--end--}}
                (( count >= ends )) && break
                zselect -t 5
            done
            (( count >= ends )) || { print -u2 "no completion for: $line"; zpty -d inner; exit 4 }
            zpty -w -n inner $'\\C-u'
        done
        zpty -d inner
        exit 0

        """
    }
}
