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
        #expect(apply.stderr.ranges(of: "write \(targets)").count == 1)
        #expect(apply.stderr.ranges(of: "run /usr/bin/touch").count == 1)
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
}
