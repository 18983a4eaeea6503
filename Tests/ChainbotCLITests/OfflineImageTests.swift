import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// `apply --root DIR` prepares an SD-card image offline with the real `systemctl --root`; `diff --root`
/// then finds nothing to do, hand edits show up and heal, prune and rollback work.
@Suite(
    .enabled(
        if: Fixtures.exists("/bin/systemctl") || Fixtures.exists("/usr/bin/systemctl"), "systemctl is not installed"))
struct OfflineImageTests {
    static let manifests = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: app-env}
        spec:
          path: /etc/app/app.env
          mode: "0640"
          env: {PORT: 8090, GREETING: hello world}
          notify: [Service/app]
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: app}
        spec:
          description: Test app
          exec: /usr/bin/python3 -m http.server 8090 --bind 127.0.0.1
          environmentFile: /etc/app/app.env
          restart: on-failure
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: sleeper}
        spec:
          unit: |
            [Unit]
            Description=Sleeps
            [Service]
            ExecStart=/bin/sleep infinity
            [Install]
            WantedBy=multi-user.target

        """

    /// A work directory with an empty image root and the test manifests, removed with the value.
    struct ImageFixture {
        let work: TemporaryDirectory
        let root: String
        let manifests: String
    }

    static func makeImage(_ text: String = manifests) -> ImageFixture {
        let work = TemporaryDirectory("chainbot-offline")
        let root = work.file("image")
        mkdir(root, 0o755)
        return ImageFixture(work: work, root: root, manifests: work.write("manifests/app.yaml", text))
    }

    @Test func applyPreparesAnImageThatDiffThenFindsConverged() async throws {
        let fixture = Self.makeImage()
        let (image, manifests) = (fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        let common = ["-f", manifests, "--root", image]

        let apply = await CLIHarness.run(["apply"] + common)
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("+ Service/app will be created"))
        #expect(Fixtures.readText(image + "/etc/app/app.env") == "GREETING=\"hello world\"\nPORT=8090\n")
        var info = stat()
        #expect(stat(image + "/etc/app/app.env", &info) == 0 && info.st_mode & 0o7777 == 0o640)
        #expect(
            Fixtures.readText(image + "/etc/systemd/system/sleeper.service")?.contains("ExecStart=/bin/sleep infinity")
                == true)
        // Enabled the way `systemctl --root=DIR enable` does it: a wants symlink inside the image.
        var link = stat()
        #expect(lstat(image + "/etc/systemd/system/multi-user.target.wants/app.service", &link) == 0)
        #expect(Fixtures.exists(image + "/var/lib/chainbot/state.db"))

        let diff = await CLIHarness.run(["diff"] + common)
        #expect(diff.status == 0, "\(diff.stdout)")
        #expect(diff.stdout.hasPrefix("0 unchanged") || diff.stdout.contains("3 unchanged"))

        let again = await CLIHarness.run(["apply"] + common)
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to do: 3 resources match the manifests."))
    }

    @Test func aHandEditIsShownAsADiffAndHealed() async throws {
        let fixture = Self.makeImage()
        let (image, manifests) = (fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        let common = ["-f", manifests, "--root", image]
        #expect(await CLIHarness.run(["apply"] + common).status == 0)

        let unit = image + "/etc/systemd/system/sleeper.service"
        let edited = (Fixtures.readText(unit) ?? "").replacing("/bin/sleep infinity", with: "/bin/sleep 5")
        Fixtures.write(unit, edited)
        chmod(image + "/etc/app/app.env", 0o666)
        unlink(image + "/etc/systemd/system/multi-user.target.wants/app.service")

        let diff = await CLIHarness.run(["diff"] + common)
        #expect(diff.status == 1)
        #expect(diff.stdout.contains("~ Service/sleeper will be updated"))
        #expect(diff.stdout.contains("      -ExecStart=/bin/sleep 5\n      +ExecStart=/bin/sleep infinity\n"))
        #expect(diff.stdout.contains("    mode: 0666 → 0640\n"))
        #expect(diff.stdout.contains("    enabled: disabled → enabled\n"))

        #expect(await CLIHarness.run(["apply"] + common).status == 0)
        #expect(await CLIHarness.run(["diff"] + common).status == 0)
    }

    @Test func pruneRemovesWhatLeftTheManifestsAndRollbackBringsItBack() async throws {
        let fixture = Self.makeImage()
        let (work, image, manifests) = (fixture.work, fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        let common = ["-f", manifests, "--root", image]
        #expect(await CLIHarness.run(["apply"] + common).status == 0)

        let documents = Self.manifests.split(separator: "---\n")
        work.write("manifests/app.yaml", documents[0] + "---\n" + documents[1])
        let withoutPrune = await CLIHarness.run(["apply"] + common)
        #expect(withoutPrune.stdout.contains("- Service/sleeper left the manifests (apply --prune removes it)"))
        #expect(Fixtures.exists(image + "/etc/systemd/system/sleeper.service"))

        let pruned = await CLIHarness.run(["apply", "--prune"] + common)
        #expect(pruned.status == 0, "\(pruned.stdout)\n\(pruned.stderr)")
        #expect(!Fixtures.exists(image + "/etc/systemd/system/sleeper.service"))
        #expect(!Fixtures.exists(image + "/etc/systemd/system/multi-user.target.wants/sleeper.service"))

        let history = await CLIHarness.run(["history", "--root", image])
        #expect(history.status == 0)
        #expect(history.stdout.split(separator: "\n").count == 3)  // header + 2 revisions (the no-op run records none)

        let rollback = await CLIHarness.run(["rollback", "1", "--root", image])
        #expect(rollback.status == 0, "\(rollback.stdout)\n\(rollback.stderr)")
        #expect(Fixtures.exists(image + "/etc/systemd/system/sleeper.service"))
    }

    @Test func anEmptyManifestSetDoesNotPruneEverythingWithoutForce() async throws {
        let fixture = Self.makeImage()
        let (work, image, manifests) = (fixture.work, fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        #expect(await CLIHarness.run(["apply", "-f", manifests, "--root", image]).status == 0)
        work.write("manifests/app.yaml", "# everything removed\n---\n")
        let refused = await CLIHarness.run(["apply", "--prune", "-f", manifests, "--root", image])
        #expect(refused.status != 0)
        #expect(Fixtures.exists(image + "/etc/systemd/system/app.service"))
    }
}

extension OfflineImageTests {
    @Test func anInvalidManifestAbortsBeforeAnyStepAndCreatesNoState() async throws {
        let fixture = Self.makeImage(Self.manifests.replacing("restart: on-failure", with: "restart: sometimes"))
        let (image, manifests) = (fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        let run = await CLIHarness.run(["apply", "-f", manifests, "--root", image])
        #expect(run.status == 65)
        #expect(run.stderr.contains("invalid spec.restart 'sometimes' in Service 'app'"))
        #expect(run.stderr.hasSuffix("chainbot: the manifests are invalid; nothing was changed\n"))
        #expect(Fixtures.list(image).isEmpty, "nothing may be written: \(Fixtures.list(image))")
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() async throws {
        let fixture = Self.makeImage()
        let (image, manifests) = (fixture.root, fixture.manifests)
        defer { withExtendedLifetime(fixture) {} }
        let run = await CLIHarness.run(["apply", "--dry-run", "-f", manifests, "--root", image])
        #expect(run.status == 0)
        #expect(run.stdout.contains("+ Service/sleeper will be created"))
        #expect(Fixtures.list(image).isEmpty, "a dry run writes nothing, not even a state file")
        let json = await CLIHarness.run(["apply", "--dry-run", "-o", "json", "-f", manifests, "--root", image])
        #expect(json.stdout.hasPrefix("{\n  \"schemaVersion\": 1,\n  \"generation\": \"sha256:"))
    }
}
