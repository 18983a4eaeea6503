import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

private let builtChainbot = Fixtures.path(".build/debug/chainbot")

/// `contrib/install.sh --root DIR` run twice leaves the same tree with the same modes, and the second run
/// says "unchanged"; a wrong mode is corrected, an edited config is kept.
@Suite(
    .enabled(
        if: Fixtures.exists(builtChainbot), "the chainbot binary is not built at .build/debug/chainbot"),
    .enabled(if: Fixtures.exists("/bin/bash") || Fixtures.exists("/usr/bin/bash"), "bash is not installed"))
struct InstallScriptTests {
    static let binary = builtChainbot
    static let script = Fixtures.path("contrib/install.sh")

    func install(_ arguments: [String]) async throws -> CommandResult {
        try await SpawnCommandRunner().run(
            CommandInvocation("bash", [Self.script, "--binary", Self.binary] + arguments, timeout: .seconds(120)))
    }

    /// Every entry under `root`: path, type, permission bits, and for files the size, the modification
    /// time (a rewrite with the same bytes still shows) and, below 1 MiB, a digest of the bytes.
    static func tree(_ root: String, _ relative: String = "") -> [String] {
        var entries: [String] = []
        for name in Fixtures.list(root + relative, hidden: true) {
            let path = relative + "/" + name
            var info = stat()
            guard lstat(root + path, &info) == 0 else { continue }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            if info.st_mode & S_IFMT == S_IFDIR {
                entries.append("\(path)/ \(mode)")
                entries += tree(root, path)
            } else {
                let modified = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
                let digest =
                    info.st_size < 1 << 20
                    ? String(SHA256.hex(SHA256.hash(Fixtures.read(root + path) ?? [])).prefix(12)) : "-"
                entries.append("\(path) \(mode) \(info.st_size) \(modified) \(digest)")
            }
        }
        return entries
    }

    @Test func runningTwiceLeavesTheSameTreeAndSaysUnchanged() async throws {
        let work = TemporaryDirectory("chainbot-install")
        let root = work.file("root")
        mkdir(root, 0o755)
        let unit = work.write("chainbot-agent.service", "[Unit]\nDescription=chainbot agent\n")

        let first = try await install(["--root", root, "--unit", unit])
        #expect(first.succeeded, "\(first.output)\(first.errorOutput)")
        #expect(first.output.contains("installed  /usr/local/bin/chainbot\n"))
        #expect(first.output.contains("installed  /etc/systemd/system/chainbot-agent.service\n"))
        #expect(first.output.hasSuffix("chainbot install: 9 changed, 0 unchanged\n"))
        let installed = Self.tree(root)
        for expected in [
            "/etc/chainbot/ 755", "/etc/chainbot/manifests/ 755", "/etc/chainbot/secrets/ 700",
            "/var/lib/chainbot/ 700",
        ] {
            #expect(installed.contains(expected), "\(installed)")
        }
        #expect(installed.contains { $0.hasPrefix("/usr/local/bin/chainbot 755 ") })
        #expect(installed.contains { $0.hasPrefix("/etc/chainbot/config.yaml 644 ") })
        #expect(installed.contains { $0.hasPrefix("/etc/systemd/system/chainbot-agent.service 644 ") })
        #expect(installed.contains { $0.hasPrefix("/usr/share/bash-completion/completions/chainbot 644 ") })
        #expect(installed.contains { $0.hasPrefix("/usr/share/zsh/vendor-completions/_chainbot 644 ") })

        let second = try await install(["--root", root, "--unit", unit])
        #expect(second.succeeded)
        #expect(Self.tree(root) == installed)
        let lines = second.output.split(separator: "\n")
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("unchanged ") }, "\(second.output)")
        #expect(lines.last == "chainbot install: unchanged (9 in place)")
    }

    @Test func correctsModesKeepsAnEditedConfigAndNotesAMissingUnit() async throws {
        let work = TemporaryDirectory("chainbot-install")
        let root = work.file("root")
        mkdir(root, 0o755)
        let missingUnit = work.file("no-such.service")
        #expect(try await install(["--root", root, "--unit", missingUnit]).succeeded)
        let installed = Self.tree(root)
        chmod(root + "/var/lib/chainbot", 0o755)
        Fixtures.write(root + "/etc/chainbot/config.yaml", "state: /srv/state.db\n")

        let again = try await install(["--root", root, "--unit", missingUnit])
        #expect(again.succeeded)
        #expect(again.output.contains("mode 0700  /var/lib/chainbot/\n"))
        #expect(again.output.contains("unchanged  /etc/chainbot/config.yaml\n"))
        #expect(
            again.output.contains("skipped    /etc/systemd/system/chainbot-agent.service (no unit at \(missingUnit)"))
        #expect(again.output.hasSuffix("chainbot install: 1 changed, 7 unchanged\n"))
        #expect(Fixtures.readText(root + "/etc/chainbot/config.yaml") == "state: /srv/state.db\n")
        #expect(
            Self.tree(root).filter { !$0.hasPrefix("/etc/chainbot/config.yaml") }
                == installed.filter { !$0.hasPrefix("/etc/chainbot/config.yaml") })
    }

    /// The installed configuration with its examples (`#key: value`; `# words` is prose) uncommented.
    static func uncommented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("#") && line.dropFirst().first?.isLetter == true ? line.dropFirst() : line
        }.joined(separator: "\n")
    }

    @Test func theConfigurationsExamplesUncommentedAreOneTheAgentTakesWithEveryFleetAndGitKey() async throws {
        let work = TemporaryDirectory("chainbot-install")
        let root = work.file("root")
        mkdir(root, 0o755)
        #expect(try await install(["--root", root, "--unit", work.file("no-such.service")]).succeeded)
        let text = try #require(Fixtures.readText(root + "/etc/chainbot/config.yaml"))
        // The example signers file made to exist: the agent refuses one it cannot read.
        let signers = work.write("allowed_signers", "")
        let path = work.write(
            "config.yaml", Self.uncommented(text).replacing("/etc/chainbot/allowed_signers", with: signers))
        let config = try AgentConfigFile.load(path).get()
        let fleet: Set = [
            "host", "labels", "git-pull", "git-branch", "git-remotes", "git-verify", "git-allowed-signers",
        ]
        #expect(fleet.isSubset(of: config.values.keys), "\(config.values.keys.sorted())")
        #expect(config.values["labels"] == ["ring=canary", "room=kitchen"])
        #expect(config.values["git-remotes"]?.count == 2)
        // As the agent reads it at start-up (`--config FILE`), through to its git source settings.
        let agent = AgentCommand.command
        let given = try Arguments(["--config", path], valued: agent.valued, switches: agent.switches)
        let context = CommandContext(stdout: .buffer(), stderr: .buffer(), environment: [:])
        let (_, configuration) = try AgentCommand.parse(given, context).get()
        #expect(configuration.options.host.name == "pi-kitchen")
        #expect(configuration.options.host.labels == ["ring": "canary", "room": "kitchen"])
        #expect(configuration.controller.gitPull == .seconds(60))
        #expect(
            configuration.git
                == GitSourceSettings(
                    branch: "main", remotes: config.values["git-remotes"] ?? [], verify: true, allowedSigners: signers))
    }

    @Test func refusesAMissingBinaryWithTheBuildCommand() async throws {
        let work = TemporaryDirectory("chainbot-install")
        let result = try await SpawnCommandRunner().run(
            CommandInvocation("bash", [Self.script, "--binary", work.file("nope"), "--root", work.path]))
        #expect(result.termination == .exited(1))
        #expect(result.errorOutput.contains("swift build -c release --static-swift-stdlib --product chainbot"))
        #expect(Fixtures.list(work.path).isEmpty)
    }
}
