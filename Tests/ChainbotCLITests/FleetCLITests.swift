import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// A fleet from the command line: `--host`/`--label` (and the configuration's `host`/`labels:`) choose
/// what `apply` writes and prunes; `validate` checks every host of the inventory; bad input changes nothing.
@Suite struct FleetCLITests {
    static let manifests = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd, content: "every host\\n"}
        ---
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata:
          name: room
          hostSelector: {hostname: "pi-kitchen-*"}
        spec: {path: /etc/room, content: "kitchen\\n"}
        ---
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata:
          name: sensor
          hostSelector: {labels: {role: sensor}}
        spec: {path: /etc/sensor, content: "on\\n"}

        """

    static let inventory = """
        apiVersion: chainbot.dev/v1
        kind: Fleet
        metadata: {name: home}
        spec:
          hosts:
            - name: pi-kitchen-1
              labels: {role: sensor}
            - name: vm

        """

    /// A work directory with an image root and `text` as the manifests, removed with the value.
    struct Image {
        let work: TemporaryDirectory
        let root: String
        let manifests: String

        init(_ text: String = FleetCLITests.manifests) {
            work = TemporaryDirectory("chainbot-fleet")
            root = work.file("image")
            mkdir(root, 0o755)
            manifests = work.write("manifests/app.yaml", text)
        }

        var common: [String] { ["-f", manifests, "--root", root] }
    }

    @Test func applyWritesOnlyWhatTheHostsNameAndLabelsSelect() async {
        let kitchen = Image()
        let applied = await CLIHarness.run(
            ["apply", "--host", "pi-kitchen-1", "--label", "role=sensor"] + kitchen.common)
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        #expect(Fixtures.readText(kitchen.root + "/etc/room") == "kitchen\n")
        #expect(Fixtures.readText(kitchen.root + "/etc/sensor") == "on\n")

        let vm = Image()
        let other = await CLIHarness.run(["apply", "--host", "vm"] + vm.common)
        #expect(other.status == 0, "\(other.stdout)\n\(other.stderr)")
        #expect(Fixtures.readText(vm.root + "/etc/motd") == "every host\n")
        #expect(!Fixtures.exists(vm.root + "/etc/room"))
        #expect(!Fixtures.exists(vm.root + "/etc/sensor"))
        let diff = await CLIHarness.run(["diff", "--host", "vm"] + vm.common)
        #expect(diff.status == 0, "\(diff.stdout)")
        #expect(!diff.stdout.contains("ConfigFile/room"))
    }

    @Test func snapshotCapturesWhatTheHostSelects() async {
        let image = Image()
        image.work.write("image/etc/motd", "every host\n")
        image.work.write("image/etc/room", "kitchen\n")
        let snapshot = image.work.file("snap")
        let run = await CLIHarness.run([
            "snapshot", "--root", image.root, "-f", image.manifests, "--host", "vm", snapshot,
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(Fixtures.readText(snapshot + "/etc/motd") == "every host\n")
        #expect(!Fixtures.exists(snapshot + "/etc/room"), "not selected for host vm")
        let kitchen = image.work.file("snap-kitchen")
        let selected = await CLIHarness.run([
            "snapshot", "--root", image.root, "-f", image.manifests, "--host", "pi-kitchen-1", kitchen,
        ])
        #expect(selected.status == 0, "\(selected.stderr)")
        #expect(Fixtures.readText(kitchen + "/etc/room") == "kitchen\n")
    }

    @Test func aResourceThatStopsMatchingTheHostIsPrunedOnlyWithPrune() async {
        let image = Image()
        let sensor = ["--host", "pi-kitchen-1", "--label", "role=sensor"]
        #expect(await CLIHarness.run(["apply"] + sensor + image.common).status == 0)
        #expect(Fixtures.exists(image.root + "/etc/sensor"))

        // The host's label changed: the sensor file is no longer selected.
        let relabeled = ["--host", "pi-kitchen-1", "--label", "role=display"]
        let withoutPrune = await CLIHarness.run(["apply"] + relabeled + image.common)
        #expect(withoutPrune.status == 0, "\(withoutPrune.stdout)\n\(withoutPrune.stderr)")
        #expect(withoutPrune.stdout.contains("ConfigFile/sensor left the manifests"), "\(withoutPrune.stdout)")
        #expect(Fixtures.exists(image.root + "/etc/sensor"))

        let pruned = await CLIHarness.run(["apply", "--prune"] + relabeled + image.common)
        #expect(pruned.status == 0, "\(pruned.stdout)\n\(pruned.stderr)")
        #expect(!Fixtures.exists(image.root + "/etc/sensor"))
        #expect(Fixtures.readText(image.root + "/etc/room") == "kitchen\n", "still selected by name")
        #expect(Fixtures.exists(image.root + "/etc/motd"))
    }

    @Test func theConfigurationsHostAndLabelsSelectLikeTheFlags() async {
        let image = Image()
        let config = image.work.write(
            "config.yaml", "host: pi-kitchen-2\nlabels:\n  role: sensor\n  room: kitchen\n")
        let applied = await CLIHarness.run(["apply", "--config", config] + image.common)
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        #expect(Fixtures.exists(image.root + "/etc/room") && Fixtures.exists(image.root + "/etc/sensor"))

        let status = await CLIHarness.run([
            "status", "--config", config, "--state", image.root + "/var/lib/chainbot/state.db",
        ])
        #expect(status.stdout.contains("host: pi-kitchen-2 (role=sensor, room=kitchen)\n"), "\(status.stdout)")
        let json = await CLIHarness.run(
            ["status", "-o", "json", "--host", "pi-x", "--state", image.root + "/var/lib/chainbot/state.db"])
        #expect(json.stdout.contains("\"host\": {\n    \"name\": \"pi-x\",\n    \"labels\": {}"), "\(json.stdout)")
    }

    @Test(arguments: [
        (["--label", "role"], "--label takes KEY=VALUE"),
        (["--label", "role=big sensor"], "not a valid label value"),
        (["--label", "-role=sensor"], "not a valid label key"),
        (["--host", "pi_kitchen"], "--host: 'pi_kitchen'"),
    ])
    func aMalformedHostOrLabelIsAUsageErrorAndNothingIsApplied(flags: [String], message: String) async {
        let image = Image()
        let run = await CLIHarness.run(["apply"] + flags + image.common)
        #expect(run.status == 64)
        #expect(run.stderr.contains("chainbot apply: ") && run.stderr.contains(message), "\(run.stderr)")
        #expect(!Fixtures.exists(image.root + "/etc/motd"))
        #expect(!Fixtures.exists(image.root + "/var/lib/chainbot/state.db"))
    }

    @Test func aBadLabelInTheConfigurationNamesTheFileLineAndColumn() async {
        let image = Image()
        let config = image.work.write("config.yaml", "labels:\n  role: [a, b]\n")
        let run = await CLIHarness.run(["apply", "--config", config] + image.common)
        #expect(run.status == 64)
        #expect(run.stderr.contains("\(config):2:3: a label takes a key and a scalar value"), "\(run.stderr)")
        #expect(!Fixtures.exists(image.root + "/etc/motd"))
    }

    @Test func anInvalidGlobStopsApplyWithItsLocationAndChangesNothing() async {
        let image = Image(
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: room
              hostSelector: {hostname: "pi-[z-a]"}
            spec: {path: /etc/room, content: x}

            """)
        let run = await CLIHarness.run(["apply", "--host", "pi-kitchen-1"] + image.common)
        #expect(run.status == 65)
        #expect(run.stderr.contains("app.yaml:5:28: error: "), "\(run.stderr)")
        #expect(run.stderr.contains("reversed range 'z-a'"), "\(run.stderr)")
        #expect(!Fixtures.exists(image.root + "/var/lib/chainbot/state.db"))
    }

    @Test func validateChecksEveryHostOfTheInventoryAndSaysWhatEachGets() async {
        let image = Image()
        image.work.write("manifests/fleet.yaml", Self.inventory)
        let run = await CLIHarness.run(["validate", "--hosts", image.work.file("manifests")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains(
                "host pi-kitchen-1 (role=sensor): 3 ConfigFile\n  ConfigFile/motd\n  ConfigFile/room\n  ConfigFile/sensor\n"
                    + "host vm: 1 ConfigFile\n  ConfigFile/motd\n"), "\(run.stdout)")

        let json = await CLIHarness.run(["validate", "--hosts", "-o", "json", image.work.file("manifests")])
        #expect(json.status == 0)
        #expect(
            json.stdout.contains(
                "{\n      \"name\": \"vm\",\n      \"labels\": {},\n      \"resources\": [\n        \"ConfigFile/motd\"\n      ]"
            ), "\(json.stdout)")
    }

    @Test func validateFindsADuplicateOnlyWhereAListedHostSelectsBoth() async {
        let twice = """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: room
              hostSelector: {labels: {role: sensor}}
            spec: {path: /etc/room-sensor, content: x}

            """
        let image = Image(Self.manifests + "---\n" + twice)
        image.work.write("manifests/fleet.yaml", Self.inventory)
        let run = await CLIHarness.run(["validate", image.work.file("manifests")])
        #expect(run.status == 65)
        #expect(
            run.stderr.contains(
                "app.yaml:23:9: error: ConfigFile/room is defined more than once for host 'pi-kitchen-1' [duplicate-resource]"
            ), "\(run.stderr)")
        #expect(run.stderr.contains("app.yaml:9:9: note: first defined here"), "\(run.stderr)")

        // Without that host in the inventory, the two never meet.
        image.work.write("manifests/fleet.yaml", Self.inventory.replacing("pi-kitchen-1", with: "pi-garage"))
        let disjoint = await CLIHarness.run(["validate", image.work.file("manifests")])
        #expect(disjoint.status == 0, "\(disjoint.stderr)")
    }

    @Test func anInventoryListingAHostTwiceIsAnErrorAtTheSecond() async {
        let image = Image()
        image.work.write("manifests/fleet.yaml", Self.inventory + "    - name: vm\n")
        let run = await CLIHarness.run(["validate", image.work.file("manifests")])
        #expect(run.status == 65)
        #expect(
            run.stderr.contains("fleet.yaml:9:13: error: host 'vm' is listed twice in the Fleet"), "\(run.stderr)")
        #expect(run.stderr.contains("fleet.yaml:8:13: note: first listed here"), "\(run.stderr)")
        let apply = await CLIHarness.run([
            "apply", "--host", "vm", "-f", image.work.file("manifests"), "--root", image.root,
        ])
        #expect(apply.status == 65)
        #expect(!Fixtures.exists(image.root + "/etc/motd"))
    }
}
