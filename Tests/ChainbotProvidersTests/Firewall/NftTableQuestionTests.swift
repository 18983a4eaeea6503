import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

@testable import ChainbotProviders

/// Whether chainbot's table exists is nft's structured answer (`nft -j list tables`), asked only when
/// listing the table failed: never nft's error words, and no second run on a host that has the table.
@Suite struct NftTableQuestionTests {
    /// `nft -j list tables` in a namespace holding chainbot's table and another one, as nft 1.0.6 prints it.
    static let listedWithTable =
        #"{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, "#
        + #"{"table": {"family": "ip", "name": "chainbot", "handle": 2}}, "#
        + #"{"table": {"family": "inet", "name": "chainbot", "handle": 1}}]}"#
    static let listedEmpty =
        #"{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}"#

    @Test func aHostWithTheTableIsObservedWithOneRun() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try FirewallProviderTests.table("alexos-table.json"))

        #expect(try await Nft(runner: runner).observe() != nil)
        #expect(runner.commandLines == ["nft -j list table inet chainbot"])
    }

    @Test func aFailedListingOfATableThatExistsIsAnErrorEvenInNftsWordsForMissing() async {
        let runner = FakeCommandRunner()
        runner.script(
            "nft", ["-j", "list", "table"], exitCode: 1, errorOutput: "Error: No such file or directory\n")
        runner.script("nft", ["-j", "list", "tables"], output: Self.listedWithTable)

        let error = await #expect(throws: ProviderError.self) { try await Nft(runner: runner).observe() }

        #expect(error?.code == .commandFailed)
        #expect(error?.message == "nft -j list table inet chainbot failed (exit status 1)")
    }

    @Test func aTableNftDoesNotListIsMissingWhateverItsErrorSays() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], exitCode: 1, errorOutput: "Error: Could not process rule\n")
        runner.script("nft", ["-j", "list", "tables"], output: Self.listedEmpty)

        #expect(try await Nft(runner: runner).observe() == nil)
        #expect(runner.commandLines == ["nft -j list table inet chainbot", "nft -j list tables"])
    }

    @Test func whenNftCannotSayWhichTablesThereAreTheFirstFailureStands() async {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], exitCode: 1, errorOutput: "Error: No such file or directory\n")
        runner.script(
            "nft", ["-j", "list", "tables"], exitCode: 1, errorOutput: "netlink: Error: Operation not permitted\n")

        let error = await #expect(throws: ProviderError.self) { try await Nft(runner: runner).observe() }

        #expect(error?.message == "nft -j list table inet chainbot failed (exit status 1)")
        #expect(error?.detail == "Error: No such file or directory")
    }

    @Test func onlyTheInetChainbotTableCounts() throws {
        #expect(try NftTableList.contains(in: Self.listedWithTable))
        #expect(try !NftTableList.contains(in: Self.listedEmpty))
        let otherFamilies = #"{"nftables": [{"table": {"family": "ip6", "name": "chainbot", "handle": 3}}]}"#
        #expect(try !NftTableList.contains(in: otherFamilies))
        #expect(throws: NftJSONParser.Failure.shape("no \"nftables\" array")) { try NftTableList.contains(in: "{}") }
    }

    @Test func anNftThatIsNotInstalledIsSaidSoFromTheErrno() async {
        let nft = Nft(runner: SpawnCommandRunner(), executable: "/nonexistent/chainbot-h1/nft")

        let error = await #expect(throws: ProviderError.self) { try await nft.observe() }

        #expect(error?.code == .launchFailed)
        #expect(error?.message.hasPrefix("nft is not installed") == true)
    }

    @Test func anNftThatCannotBeExecutedIsNotCalledMissing() async {
        // /etc/passwd has no execute bit: EACCES, not ENOENT.
        let nft = Nft(runner: SpawnCommandRunner(), executable: "/etc/passwd")

        let error = await #expect(throws: ProviderError.self) { try await nft.observe() }

        #expect(error?.code == .launchFailed)
        #expect(
            error?.message
                == "/etc/passwd -j list table inet chainbot failed: cannot run '/etc/passwd -j list table inet chainbot': Permission denied"
        )
    }

    @Test(.enabled(if: NftKernelTests.usable && Fixtures.exists("/usr/sbin/ip"), NftKernelTests.skipReason))
    func realNftSaysMissingThenPresentAndAsksTwiceOnlyForMissing() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        let runner = CountingRunner(namespace: namespace.name)
        let nft = Nft(runner: runner)

        #expect(try await nft.observe() == nil)
        #expect(runner.commands == ["nft -j list table inet chainbot", "nft -j list tables"])

        let added = try await runner.run(CommandInvocation("nft", ["add", "table", "inet", "chainbot"]))
        #expect(added.succeeded, "\(added.errorOutput)")
        let listed = try await runner.run(CommandInvocation("nft", ["-j", "list", "tables"]))
        #expect(try NftTableList.contains(in: listed.output), "\(listed.output)")
        runner.reset()

        #expect(try await nft.observe() == NftRuleset(policy: .accept, rules: []))
        #expect(runner.commands == ["nft -j list table inet chainbot"])
    }
}

/// A network namespace made for one test (`ip netns add`), removed by `remove()`.
private struct NetworkNamespace {
    let name = "chainbot-nftq-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        let result = try SpawnCommandRunner().runSynchronously(CommandInvocation("ip", ["netns", "add", name]))
        try #require(result.succeeded, "ip netns add \(name): \(result.errorOutput)")
    }

    func remove() {
        _ = try? SpawnCommandRunner().runSynchronously(CommandInvocation("ip", ["netns", "del", name]))
    }
}

/// Runs every command inside `namespace` (`ip netns exec`) with the real runner, recording the command
/// lines as they were asked for.
private final class CountingRunner: CommandRunner, Sendable {
    let namespace: String
    private let asked = Mutex<[String]>([])

    init(namespace: String) { self.namespace = namespace }

    var commands: [String] { asked.withLock { $0 } }
    func reset() { asked.withLock { $0 = [] } }

    func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        asked.withLock { $0.append(invocation.description) }
        return try await SpawnCommandRunner().run(
            CommandInvocation(
                "ip", ["netns", "exec", namespace, invocation.executable] + invocation.arguments,
                environment: invocation.environment, standardInput: invocation.standardInput,
                timeout: invocation.timeout))
    }
}
