import ChainbotCore
import ChainbotHTTP
import ChainbotTestSupport
import Synchronization
import Testing

/// `chainbot apply` and `diff` in-process against a real targets file, HTTP server and TCP listener.
@Suite struct WatchtowerEndToEndTests {
    static func manifest(url: String, port: Int, withTCP: Bool = true) -> String {
        var text = """
            apiVersion: chainbot.dev/v1
            kind: WatchtowerTarget
            metadata: {name: alexos-health}
            spec:
              type: http
              target: \(url)
              timeout: 2s
              expect: {jsonStatus: ok}

            """
        if withTCP {
            text += """
                ---
                apiVersion: chainbot.dev/v1
                kind: WatchtowerTarget
                metadata: {name: chainbot-port}
                spec: {type: tcp, target: "127.0.0.1:\(port)", timeout: 1s, severity: error}

                """
        }
        return text
    }

    static func entries(url: String, port: Int, withTCP: Bool = true) -> String {
        var text = """
                - name: alexos-health
                  type: http
                  target: \(url)
                  interval: 30s
                  timeout: 2s
                  failure_threshold: 3
                  recovery_threshold: 1
                  expect_status: 200
                  expect_json_status: ok
                  severity: warning
                  managed_by: chainbot

            """
        if withTCP {
            text += """
                    - name: chainbot-port
                      type: tcp
                      target: 127.0.0.1:\(port)
                      interval: 30s
                      timeout: 1s
                      failure_threshold: 3
                      recovery_threshold: 1
                      severity: error
                      managed_by: chainbot

                """
        }
        return text
    }

    @Test func applyWritesOnceKeepsForeignBytesProbesAndPrunes() async throws {
        let work = TemporaryDirectory("chainbot-watchtower")
        let answer = Mutex("ok")
        let server = try HTTPServer { _ in .json(.object([("status", .string(answer.withLock { $0 }))])) }
        let listener = try TCPTestListener()
        let url = server.baseURL + "/api/status/health"
        let fixture = try #require(Fixtures.readText(Fixtures.path("fixtures/watchtower/targets-shared.yaml")))
        let targets = work.write("watchtower/targets.yaml", fixture)
        let manifests = work.write("manifests/watchtower.yaml", Self.manifest(url: url, port: listener.port))
        let environment = ["CHAINBOT_WATCHTOWER_RELOAD": "/usr/bin/touch " + work.file("reloaded")]
        let common = ["-f", manifests, "--state", work.file("state.db"), "--watchtower-targets", targets]

        let apply = await CLIHarness.run(["apply"] + common, environment: environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let lastItem = "        tags: [db, core]\n"
        #expect(
            Fixtures.readText(targets)
                == fixture.replacing(lastItem, with: lastItem + Self.entries(url: url, port: listener.port)))
        #expect(apply.stderr.stepLines(naming: "write \(targets)") == 1)
        #expect(apply.stderr.stepLines(naming: "run /usr/bin/touch") == 1)
        #expect(Fixtures.exists(work.file("reloaded")))

        let healthy = await CLIHarness.run(["diff", "-o", "json"] + common, environment: environment)
        #expect(healthy.status == 0)
        #expect(healthy.stdout.ranges(of: "\"health\": \"Healthy\"").count == 2)

        answer.withLock { $0 = "degraded" }
        listener.close()
        let degraded = await CLIHarness.run(["diff", "-o", "json"] + common, environment: environment)
        #expect(degraded.status == 0)
        #expect(degraded.stdout.ranges(of: "\"health\": \"Degraded\"").count == 2)
        await server.stop()

        work.write("manifests/watchtower.yaml", Self.manifest(url: url, port: listener.port, withTCP: false))
        let prune = await CLIHarness.run(["apply", "--prune"] + common, environment: environment)
        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(
            Fixtures.readText(targets)
                == fixture.replacing(
                    lastItem, with: lastItem + Self.entries(url: url, port: listener.port, withTCP: false)))
    }

    /// The reload after a write is owed until it succeeds: a failed `systemctl try-reload-or-restart`
    /// (here a real command that fails until its directory exists) is retried by the next apply although
    /// the targets file is right, and the entries count as chainbot's from the first write.
    @Test func aReloadThatFailedAfterTheWriteIsRetriedUntilItSucceeds() async throws {
        let work = TemporaryDirectory("chainbot-watchtower")
        let listener = try TCPTestListener()
        let fixture = try #require(Fixtures.readText(Fixtures.path("fixtures/watchtower/targets-shared.yaml")))
        let targets = work.write("watchtower/targets.yaml", fixture)
        let manifests = work.write(
            "manifests/watchtower.yaml", Self.manifest(url: "http://127.0.0.1:9/", port: listener.port))
        // `mkdir W/up/reloaded` fails while W/up does not exist, and leaves a trace once it runs.
        let reloaded = work.file("up/reloaded")
        let environment = ["CHAINBOT_WATCHTOWER_RELOAD": "/usr/bin/mkdir " + reloaded, "NO_COLOR": "1"]
        let common = ["-f", manifests, "--state", work.file("state.db"), "--watchtower-targets", targets]

        let failed = await CLIHarness.run(["apply"] + common, environment: environment)
        #expect(failed.status == 2, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("/usr/bin/mkdir " + reloaded), "the failure names the command")
        #expect(Fixtures.readText(targets) != fixture, "the targets file was written")

        let diff = await CLIHarness.run(["diff"] + common, environment: environment)
        #expect(diff.status == 1, "\(diff.stdout)")
        #expect(diff.stdout.contains("owed since "), "\(diff.stdout)")
        #expect(diff.stdout.contains("run /usr/bin/mkdir " + reloaded))

        work.write("up/.keep", "")
        let retried = await CLIHarness.run(["apply"] + common, environment: environment)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(Fixtures.exists(reloaded), "the reload ran")
        #expect(retried.stderr.stepLines(naming: "run /usr/bin/mkdir") == 1)

        let settled = await CLIHarness.run(["diff"] + common, environment: environment)
        #expect(settled.status == 0, "\(settled.stdout)")
        let again = await CLIHarness.run(["apply"] + common, environment: environment)
        #expect(again.status == 0, "a second reload would fail: mkdir finds its directory there")

        // Created by chainbot from the first (failed) run: leaving the manifests, the entry is pruned.
        work.write(
            "manifests/watchtower.yaml", Self.manifest(url: "http://127.0.0.1:9/", port: listener.port, withTCP: false))
        let prune = await CLIHarness.run(["apply", "--prune"] + common, environment: environment)
        #expect(prune.stdout.contains("- WatchtowerTarget/chainbot-port will be pruned"), "\(prune.stdout)")
        #expect(Fixtures.readText(targets)?.contains("name: chainbot-port") == false)
    }
}
