import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// The promise of `chainbot snapshot`: `diff --root SNAPSHOT` says what `diff` says on the host, checked on
/// a real systemd booted as PID 1 in the project's testbed, for every kind that can be compared offline
/// (Service unit file, drop-ins and enablement; ConfigFile content, mode, owner and group; Host hostname;
/// WatchtowerTarget entries).
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct SnapshotInTestbedTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    /// Watchtower's targets file, away from the default path: given to every command through the environment.
    static let targets = "/srv/watchtower/targets.yaml"

    /// A structured Service with a drop-in, a ConfigFile only its group may read, owned by a user that is
    /// not root, a Watchtower target and a Host hostname.
    static let manifests = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: app-conf}
        spec:
          path: /etc/snapapp/app.conf
          content: "level=info\\n"
          mode: "0640"
          owner: daemon
          group: adm
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: snapweb}
        spec:
          description: Sleeps for the snapshot test
          exec: /bin/sleep infinity
          dropIns:
            limits: "[Service]\\nLimitNOFILE=4096\\n"
        ---
        apiVersion: chainbot.dev/v1
        kind: WatchtowerTarget
        metadata: {name: snapweb-unit}
        spec: {type: systemd, target: snapweb.service}
        ---
        apiVersion: chainbot.dev/v1
        kind: Host
        metadata: {name: pi}
        spec: {hostname: snap-pi}

        """

    /// Runs the built chainbot inside the testbed with the manifests and the targets file (no reload: there
    /// is no Watchtower to reload).
    private func chainbot(_ arguments: [String], in testbed: Testbed) async throws -> CommandResult {
        try await testbed.exec(
            ["env", "CHAINBOT_WATCHTOWER_RELOAD=", "CHAINBOT_WATCHTOWER_TARGETS=\(Self.targets)", Self.binary]
                + arguments + ["-f", "/srv/manifests"], timeout: .seconds(120))
    }

    private func run(_ argv: [String], in testbed: Testbed) async throws {
        let result = try await testbed.exec(argv)
        #expect(result.succeeded, "\(argv): \(result.errorOutput)")
    }

    /// `(Kind/name: field, from → to)` for each change in `diff -o json` output, sorted, without what a root
    /// cannot show: a Service's running state.
    static func changes(_ json: String) throws -> [(field: String, change: String)] {
        let document = try JSONValue(parsing: json)
        var changes: [(field: String, change: String)] = []
        for resource in document["resources"]?.array ?? [] {
            let kind = resource["kind"]?.string ?? "?"
            let id = "\(kind)/\(resource["name"]?.string ?? "?")"
            for change in resource["changes"]?.array ?? [] {
                let field = change["field"]?.string ?? "?"
                if kind == "Service" && field == "state" { continue }
                let values = "\(change["from"]?.serialized() ?? "-") → \(change["to"]?.serialized() ?? "-")"
                changes.append(("\(id): \(field)", values))
            }
        }
        return changes.sorted { ($0.field, $0.change) < ($1.field, $1.change) }
    }

    @Test func diffAgainstASnapshotSaysWhatDiffSaysOnTheHostConvergedAndDrifted() async throws {
        try await Testbed.with(name: "snapshot", binds: [Fixtures.packageRoot], runner: SpawnCommandRunner()) {
            testbed in
            try await testbed.writeFile("/srv/manifests/pi.yaml", Self.manifests)
            let apply = try await chainbot(["apply"], in: testbed)
            #expect(apply.termination == .exited(0), "\(apply.output)\n\(apply.errorOutput)")
            let converged = try await chainbot(["diff"], in: testbed)
            #expect(converged.termination == .exited(0), "\(converged.output)")

            // Converged: the snapshot is converged too.
            let snapshot = try await chainbot(["snapshot", "/srv/snap-converged"], in: testbed)
            #expect(snapshot.termination == .exited(0), "\(snapshot.output)\n\(snapshot.errorOutput)")
            let listing = try await testbed.exec(["stat", "-c", "%a %U:%G", "/srv/snap-converged/etc/snapapp/app.conf"])
            #expect(listing.output == "640 daemon:adm\n")
            let offline = try await chainbot(["diff", "--root", "/srv/snap-converged"], in: testbed)
            #expect(offline.termination == .exited(0), "\(offline.output)\n\(offline.errorOutput)")
            #expect(offline.output.hasPrefix("4 unchanged.\n"), "\(offline.output)")
            #expect(!offline.output.contains("will be created") && !offline.output.contains("will be updated"))

            // Drift by hand in every facet a root can show; the next snapshot shows exactly that drift.
            try await run(["chmod", "0600", "/etc/snapapp/app.conf"], in: testbed)
            try await run(["chown", "root:root", "/etc/snapapp/app.conf"], in: testbed)
            try await run(
                ["sed", "-i", "s|/bin/sleep infinity|/bin/sleep 1000|", "/etc/systemd/system/snapweb.service"],
                in: testbed)
            try await run(
                ["sed", "-i", "s|4096|1024|", "/etc/systemd/system/snapweb.service.d/limits.conf"], in: testbed)
            try await run(["systemctl", "disable", "snapweb.service"], in: testbed)
            try await run(["sed", "-i", "s|interval: 30s|interval: 60s|", Self.targets], in: testbed)
            try await run(["sh", "-c", "echo other-pi > /etc/hostname"], in: testbed)

            let host = try await chainbot(["diff", "-o", "json"], in: testbed)
            #expect(host.termination == .exited(1), "\(host.output)\n\(host.errorOutput)")
            let drifted = try await chainbot(["snapshot", "/srv/snap-drifted"], in: testbed)
            #expect(drifted.termination == .exited(0), "\(drifted.output)\n\(drifted.errorOutput)")
            let root = try await chainbot(["diff", "--root", "/srv/snap-drifted", "-o", "json"], in: testbed)
            #expect(root.termination == .exited(1), "\(root.output)\n\(root.errorOutput)")

            let onHost = try Self.changes(host.output)
            let offlineChanges = try Self.changes(root.output)
            #expect(offlineChanges.map(\.field) == onHost.map(\.field))
            #expect(offlineChanges.map(\.change) == onHost.map(\.change))
            #expect(
                onHost.map(\.field) == [
                    "ConfigFile/app-conf: group", "ConfigFile/app-conf: mode", "ConfigFile/app-conf: owner",
                    "Host/pi: hostname", "Service/snapweb: drop-in limits.conf", "Service/snapweb: enabled",
                    "Service/snapweb: unit file", "WatchtowerTarget/snapweb-unit: entry",
                ], "\(onHost)")
        }
    }
}
