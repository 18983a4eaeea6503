import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// The host name as Debian's tools set it: `/etc/hostname`, the `127.0.1.1` line of `/etc/hosts`, and
/// (live only) the running name through hostnamed (`hostnamectl set-hostname NAME`), else `hostname NAME`; invalid names are refused first.
struct HostProviderHostnameTests {
    static let hosts = """
        127.0.0.1\tlocalhost
        ::1\t\tlocalhost ip6-localhost ip6-loopback
        ff02::1\t\tip6-allnodes

        127.0.1.1\talexos-pi-hot.lan alexos-pi-hot # set by the installer

        """

    @Test func renamesLiveWithFilesThenTheRunningName() async throws {
        let tree = copyOfHostFixture("pi4-hot")
        tree.write("etc/hosts", Self.hosts)
        tree.write("proc/sys/kernel/hostname", "alexos-pi-hot\n")
        let harness = HostProviderHarness.live(root: tree.path)

        let planned = try await harness.apply(HostSpec(hostname: "alexos-pi"))
        #expect(planned.facets == ["hostname", "hosts 127.0.1.1", "running hostname"])
        #expect(
            planned.actions.map(\.description) == ["write /etc/hostname", "write /etc/hosts", "set hostname alexos-pi"])
        #expect(harness.read("/etc/hostname") == "alexos-pi\n")
        #expect(harness.read("/etc/hosts") == Self.hosts.replacing("alexos-pi-hot", with: "alexos-pi"))
        #expect(harness.runner.invocations.last == CommandInvocation("hostname", ["alexos-pi"], timeout: .seconds(10)))
    }

    @Test func addsTheLineAfterLocalhostWhenThereIsNone() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("etc/hosts", "127.0.0.1\tlocalhost\n::1\t\tlocalhost\n")
        let harness = HostProviderHarness.offline(root: tree.path)
        let planned = try await harness.apply(HostSpec(hostname: "alexos-pi"))
        #expect(planned.actions.map(\.description) == ["write /etc/hosts"])
        #expect(harness.read("/etc/hosts") == "127.0.0.1\tlocalhost\n127.0.1.1\talexos-pi\n::1\t\tlocalhost\n")
        #expect(try await harness.plan(HostSpec(hostname: "alexos-pi")).changes.isEmpty)
    }

    @Test func aLineNamingSomethingElseIsReplaced() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("etc/hosts", "127.0.0.1 localhost\n127.0.1.1 raspberrypi\n")
        let harness = HostProviderHarness.offline(root: tree.path)
        let planned = try await harness.apply(HostSpec(hostname: "alexos-pi"))
        #expect(planned.changes.first?.from == .word("raspberrypi"))
        #expect(harness.read("/etc/hosts") == "127.0.0.1 localhost\n127.0.1.1\talexos-pi\n")
    }

    @Test func offlineWritesOnlyFilesAndRunsNothing() async throws {
        let image = TemporaryDirectory("chainbot-image")
        let harness = HostProviderHarness.offline(root: image.path)
        let planned = try await harness.apply(HostSpec(hostname: "alexos-pi"))
        #expect(planned.facets == ["hostname", "hosts 127.0.1.1"])
        #expect(harness.read("/etc/hostname") == "alexos-pi\n")
        #expect(harness.read("/etc/hosts") == "127.0.0.1\tlocalhost\n127.0.1.1\talexos-pi\n")
        #expect(harness.runner.commandLines.isEmpty)
        await #expect(throws: ProviderError.self) { try await harness.provider.execute(.setHostname("alexos-pi")) }
    }

    @Test(arguments: [
        "", "-rf", "bad_name", "a..b", "trailing-", String(repeating: "a", count: 65), "new\nline", "pi 4",
    ])
    func refusesInvalidNamesBeforeTouchingAnything(_ name: String) async throws {
        let harness = HostProviderHarness.live(root: "/nonexistent-root")
        await #expect(throws: ProviderError.self) {
            _ = try await harness.provider.render(
                HostProviderHarness.id, spec: .host(HostSpec(hostname: name)), previous: nil)
        }
        await #expect(throws: ProviderError.self) { try await harness.provider.execute(.setHostname(name)) }
        #expect(harness.runner.commandLines.isEmpty)
    }

    @Test func theRunningNameIsSetThroughHostnamedWhenItAnswers() async throws {
        let runner = FakeCommandRunner()
        runner.script("hostnamectl", ["set-hostname"], output: "")
        runner.script("hostname", exitCode: 1, errorOutput: "hostname: you must be root to change the host name\n")
        let provider = HostProvider(
            fileSystem: LocalFileSystem(root: "/nonexistent-root"), runner: runner, mode: .live)
        try await provider.execute(.setHostname("alexos-pi"))
        // hostnamed sets it: the agent needs no CAP_SYS_ADMIN, and `hostname` is not run.
        #expect(
            runner.invocations == [
                CommandInvocation("hostnamectl", ["set-hostname", "alexos-pi"], timeout: .seconds(10))
            ])
    }

    @Test func withoutHostnamedTheKernelNameIsSetByHostname() async throws {
        let runner = FakeCommandRunner()
        runner.script("hostnamectl", exitCode: 1, errorOutput: "Failed to connect to bus: No such file or directory\n")
        runner.script("hostname", output: "")
        let provider = HostProvider(
            fileSystem: LocalFileSystem(root: "/nonexistent-root"), runner: runner, mode: .live)
        try await provider.execute(.setHostname("alexos-pi"))
        #expect(runner.invocations.last == CommandInvocation("hostname", ["alexos-pi"], timeout: .seconds(10)))
    }

    @Test func aFailingHostnameCommandFailsTheStepWithTheOutputOfBoth() async throws {
        let runner = FakeCommandRunner()
        runner.script("hostnamectl", exitCode: 1, errorOutput: "Failed to connect to bus: No such file or directory\n")
        runner.script("hostname", exitCode: 1, errorOutput: "hostname: you must be root to change the host name\n")
        let provider = HostProvider(
            fileSystem: LocalFileSystem(root: "/nonexistent-root"), runner: runner, mode: .live)
        await #expect {
            try await provider.execute(.setHostname("alexos-pi"))
        } throws: { error in
            let detail = (error as? ProviderError)?.detail ?? ""
            return (error as? ProviderError)?.message == "cannot set the hostname to alexos-pi"
                && detail.contains("'hostnamectl set-hostname alexos-pi' failed (exited(1)): Failed to connect to bus")
                && detail.contains("'hostname alexos-pi' failed (exited(1)): hostname: you must be root")
        }
    }
}
