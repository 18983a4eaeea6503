import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// Every probe kind against real things: an HTTP server, a TCP listener, this process in /proc and, where
/// the testbed can boot one, a real systemd.
@Suite struct ProbeTests {
    static func prober(runner: any CommandRunner = FakeCommandRunner()) -> TargetProber {
        var configuration = HTTPClient.Configuration()
        configuration.connectTimeout = .seconds(2)
        return TargetProber(
            http: HTTPClient(configuration: configuration), tcp: SocketConnector(), runner: runner,
            fileSystem: LocalFileSystem())
    }

    @Test func httpReadsTheJSONStatusThenSeesTheServerGo() async throws {
        let answers = Mutex(["ok", "degraded"])
        let server = try HTTPServer { _ in
            let status = answers.withLock { $0.isEmpty ? "gone" : $0.removeFirst() }
            return .json(.object([("status", .string(status))]))
        }
        let url = server.baseURL + "/api/status/health"
        let spec = WatchtowerTargetSpec(type: .http, target: url, timeout: .seconds(2))
        let prober = Self.prober()
        #expect(await prober.probe(spec) == ProbeResult(passed: true, evidence: "GET \(url): 200, status \"ok\""))
        #expect(
            await prober.probe(spec) == ProbeResult(passed: false, evidence: "GET \(url): 200, status \"degraded\""))
        await server.stop()
        let gone = await prober.probe(spec)
        #expect(!gone.passed)
        #expect(gone.evidence.hasPrefix("GET \(url): "))
        #expect(gone.evidence.contains("refused"))
    }

    @Test func httpNamesAnUnexpectedStatus() async throws {
        let server = try HTTPServer { _ in .json(.object([("status", .string("ok"))]), status: 503) }
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/api/status/health"
        let result = await Self.prober().probe(WatchtowerTargetSpec(type: .http, target: url, timeout: .seconds(2)))
        #expect(result == ProbeResult(passed: false, evidence: "GET \(url): 503"))
    }

    @Test func httpComparesTheExpectedJSONStatus() async throws {
        let server = try HTTPServer { _ in .json(.object([("status", .string("ok"))])) }
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/health"
        let spec = WatchtowerTargetSpec(type: .http, target: url, timeout: .seconds(2), expectJSONStatus: "healthy")
        #expect(
            await Self.prober().probe(spec)
                == ProbeResult(passed: false, evidence: "GET \(url): 200, status \"ok\" (expected \"healthy\")"))
    }

    @Test func tcpConnectsToAListenerThenIsRefused() async throws {
        let listener = try TCPTestListener()
        let target = "127.0.0.1:\(listener.port)"
        let spec = WatchtowerTargetSpec(type: .tcp, target: target, timeout: .seconds(2))
        #expect(await Self.prober().probe(spec) == ProbeResult(passed: true, evidence: "connect \(target): open"))
        let closed = try ClosedTCPPort()
        let closedTarget = "127.0.0.1:\(closed.port)"
        let closedSpec = WatchtowerTargetSpec(type: .tcp, target: closedTarget, timeout: .seconds(2))
        #expect(
            await Self.prober().probe(closedSpec)
                == ProbeResult(passed: false, evidence: "connect \(closedTarget): refused"))
    }

    @Test func tcpIsBoundedByTheTimeout() async throws {
        // Nobody accepts and the backlog is 0: once the queue is full the kernel drops further SYNs, and
        // the connect hangs until the probe gives up.
        let listener = try TCPTestListener(backlog: 0)
        let clock = ContinuousClock()
        var last: String?
        for _ in 0..<4 {
            let started = clock.now
            last = await SocketConnector().connect(host: "127.0.0.1", port: listener.port, timeout: .milliseconds(300))
            // Generous: on a loaded 2-core machine the probe thread itself may wait to be scheduled. Without
            // the timeout the kernel's SYN retries would take over two minutes.
            #expect(clock.now - started < .seconds(20))
        }
        #expect(last == "timed out after 300ms")
    }

    @Test func processFindsThisTestProcessByNameAndPath() async throws {
        let comm = String(decoding: try #require(Fixtures.read("/proc/self/comm")).dropLast(), as: UTF8.self)
        let byName = await Self.prober().probe(WatchtowerTargetSpec(type: .process, target: comm))
        #expect(byName.passed)
        #expect(byName.evidence.contains("\(getpid())"))
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = String(decoding: buffer[..<max(count, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(await Self.prober().probe(WatchtowerTargetSpec(type: .process, target: exe)).passed)
        let missing = await Self.prober().probe(
            WatchtowerTargetSpec(type: .process, target: "no-such-proc-\(getpid())"))
        #expect(!missing.passed)
        #expect(missing.evidence.hasPrefix("process no-such-proc-\(getpid()): none running ("))
    }

    @Test func systemdReadsActiveStateFromSystemctl() async {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["show", "--property=ActiveState", "watchtower.service"], output: "ActiveState=failed\n")
        runner.script("systemctl", ["show", "--property=ActiveState", "ok.service"], output: "ActiveState=active\n")
        let prober = Self.prober(runner: runner)
        #expect(
            await prober.probe(WatchtowerTargetSpec(type: .systemd, target: "watchtower.service"))
                == ProbeResult(passed: false, evidence: "systemd unit watchtower.service: failed"))
        #expect(await prober.probe(WatchtowerTargetSpec(type: .systemd, target: "ok.service")).passed)
        #expect(runner.invocations.first?.timeout == .seconds(5))
    }

    @Test(
        .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)")
    )
    func systemdProbesARealUnit() async throws {
        try await Testbed.with(name: "watchtower-probe", runner: SpawnCommandRunner()) { testbed in
            let prober = Self.prober(runner: TestbedRunner(testbed: testbed))
            #expect(
                await prober.probe(WatchtowerTargetSpec(type: .systemd, target: "systemd-journald.service"))
                    == ProbeResult(passed: true, evidence: "systemd unit systemd-journald.service: active"))
            #expect(
                await prober.probe(WatchtowerTargetSpec(type: .systemd, target: "watchtower.service"))
                    == ProbeResult(passed: false, evidence: "systemd unit watchtower.service: inactive"))
        }
    }
}

/// Runs invocations inside a testbed.
private struct TestbedRunner: CommandRunner {
    let testbed: Testbed

    func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        do {
            return try await testbed.exec([invocation.executable] + invocation.arguments, timeout: invocation.timeout)
        } catch let error as CommandError {
            throw error
        } catch {
            throw .launchFailed(command: invocation.description, reason: "\(error)")
        }
    }
}
