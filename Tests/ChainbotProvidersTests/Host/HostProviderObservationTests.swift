import ChainbotCore
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// Host conditions on every fixture tree: the golden health, its reason, and the observation-only facets
/// the plan shows — the same live (vcgencmd through the runner) and offline (what a snapshot recorded).
struct HostProviderObservationTests {
    /// Every condition the Host kind has, with thresholds the healthy tree meets.
    static let spec = HostSpec(
        model: "Raspberry Pi *", thermalWarnC: 70, thermalCritC: 85,
        forbiddenThrottling: HostSpec.ThrottleFlag.allCases, throttlingSinceBoot: true, diskMinFreePercent: 10,
        diskPaths: ["/"], memoryMinAvailableMB: 256)

    struct Golden: Sendable, CustomTestStringConvertible {
        var tree: String
        var health: Health
        var reason: String?

        var testDescription: String { tree }
    }

    static let goldens: [Golden] = [
        Golden(tree: "pi4-healthy", health: .healthy, reason: nil),
        Golden(
            tree: "pi4-hot", health: .degraded,
            reason:
                "temperature 82.0 °C at or above warn 70 °C; throttling now: softTempLimit; throttling since boot: frequencyCapped"
        ),
        Golden(tree: "pi5-undervoltage", health: .degraded, reason: "throttling now: underVoltage, throttled"),
        Golden(tree: "pi4-disk-nearly-full", health: .degraded, reason: "disk / 3.0% free, below 10%"),
    ]

    @Test(arguments: goldens)
    func observesEveryFixtureTreeLive(_ golden: Golden) async throws {
        let harness = HostProviderHarness.live(root: Fixtures.path("fixtures/hosts/" + golden.tree))
        let planned = try await harness.plan(Self.spec)
        #expect(planned.observed.health == golden.health)
        #expect(planned.observed.healthReason == golden.reason)
        // Conditions are health: a crossed one is neither a change nor a step, and every reading was made.
        #expect(planned.changes.isEmpty)
        #expect(planned.observed.unobserved.isEmpty)
        #expect(planned.actions.isEmpty)
        #expect(harness.runner.commandLines == ["vcgencmd get_throttled"])
    }

    @Test(arguments: goldens)
    func observesEveryFixtureTreeOfflineFromWhatWasRecorded(_ golden: Golden) async throws {
        let harness = HostProviderHarness.offline(root: Fixtures.path("fixtures/hosts/" + golden.tree))
        let planned = try await harness.plan(Self.spec)
        #expect(planned.observed.health == golden.health)
        #expect(planned.observed.healthReason == golden.reason)
        #expect(planned.changes.isEmpty)
        #expect(planned.observed.unobserved.isEmpty)
        #expect(harness.runner.commandLines.isEmpty)
    }

    @Test func aHotPiWithAnotherHostnameChangesOnlyItsFiles() async throws {
        var spec = Self.spec
        spec.hostname = "alexos-pi"
        let planned = try await HostProviderHarness.live(root: Fixtures.path("fixtures/hosts/pi4-hot")).plan(spec)
        #expect(planned.facets == ["hostname", "hosts 127.0.1.1", "running hostname"])
        #expect(planned.observed.health == .degraded)
        #expect(planned.observed.healthReason?.hasPrefix("temperature 82.0 °C at or above warn 70 °C") == true)
        #expect(planned.actions.count == 3)
    }

    @Test func aModelThatDoesNotMatchTheGlobIsACrossedCondition() async throws {
        var spec = Self.spec
        spec.model = "Raspberry Pi 4*"
        let planned = try await HostProviderHarness.live(root: Fixtures.path("fixtures/hosts/pi5-undervoltage")).plan(
            spec)
        #expect(planned.changes.isEmpty)
        #expect(planned.observed.health == .degraded)
        #expect(
            planned.observed.healthReason
                == "model 'Raspberry Pi 5 Model B Rev 1.0' does not match 'Raspberry Pi 4*'; throttling now: underVoltage, throttled"
        )
    }

    @Test func criticalTemperatureAndLowMemoryAreListedTogether() async throws {
        let spec = HostSpec(thermalWarnC: 60, thermalCritC: 80, memoryMinAvailableMB: 4096)
        let planned = try await HostProviderHarness.live(root: Fixtures.path("fixtures/hosts/pi4-hot")).plan(spec)
        #expect(planned.observed.health == .degraded)
        #expect(
            planned.observed.healthReason
                == "temperature 82.0 °C at or above critical 80 °C; memory 2836 MB available, below 4096 MB")
        #expect(planned.changes.isEmpty)
    }

    @Test func onlyCurrentFlagsCountUnlessSinceBootIsSet() async throws {
        let spec = HostSpec(forbiddenThrottling: [.frequencyCapped])
        let planned = try await HostProviderHarness.live(root: Fixtures.path("fixtures/hosts/pi4-hot")).plan(spec)
        // 0xa0008: frequency capped only since boot.
        #expect(planned.observed.health == .healthy)
        #expect(planned.changes.isEmpty)
    }

    @Test func liveReadingsThatCannotBeMadeAreUnobservedNotChanges() async throws {
        let empty = TemporaryDirectory("chainbot-host")
        let harness = HostProviderHarness.live(root: empty.path)
        let planned = try await harness.plan(Self.spec)
        #expect(planned.observed.health == .unknown)
        let reason = try #require(planned.observed.healthReason)
        #expect(reason.hasPrefix("model unknown (no /proc/device-tree/model); temperature unknown"))
        #expect(reason.contains("throttling unknown (vcgencmd is not available: cannot run 'vcgencmd get_throttled'"))
        // Not "unknown → below 70 °C": what cannot be read is neither a change nor in sync.
        #expect(planned.changes.isEmpty)
        let unobserved = planned.observed.unobserved
        #expect(
            unobserved.keys.sorted() == [
                "disk free /", "memory available", "model", "temperature", "throttling since boot",
            ])
        #expect(unobserved["model"] == "no /proc/device-tree/model")
        #expect(unobserved["temperature"] == "no readable /sys/class/thermal/thermal_zone*/temp")
        #expect(unobserved["memory available"] == "no MemAvailable in /proc/meminfo")
        #expect(unobserved["throttling since boot"]?.hasPrefix("vcgencmd is not available") == true)
        #expect(planned.observed.facets.keys.allSatisfy { unobserved[$0] == nil })
        #expect(planned.actions.isEmpty)
    }

    @Test func offlineAConditionWithoutAReadingUnderTheRootIsNotMeasurableInAnImage() async throws {
        let image = TemporaryDirectory("chainbot-image")
        let harness = HostProviderHarness.offline(root: image.path)
        let planned = try await harness.plan(Self.spec)
        #expect(planned.changes.isEmpty)
        #expect(
            planned.observed.unobserved == [
                "model": "not measurable in an image: no /proc/device-tree/model",
                "temperature": "not measurable in an image: it has no sensors",
                "throttling since boot":
                    "not measurable in an image: no vcgencmd to ask, and no vcgencmd/get_throttled recorded by chainbot snapshot",
                "disk free /": "not measurable in an image: no statvfs line for / recorded by chainbot snapshot",
                "memory available": "not measurable in an image: no /proc/meminfo",
            ])
        #expect(planned.observed.health == .unknown)
        #expect(
            planned.observed.healthReason?.contains(
                "temperature unknown (not measurable in an image: it has no sensors)") == true)
        #expect(harness.runner.commandLines.isEmpty)

        // A partial snapshot: what it recorded is compared, the rest is not.
        image.write("proc/meminfo", "MemTotal: 1000000 kB\nMemAvailable: 100000 kB\n")
        let partial = try await harness.plan(Self.spec)
        #expect(partial.changes.isEmpty)
        #expect(partial.observed.healthReason?.hasPrefix("memory 97 MB available, below 256 MB; model unknown") == true)
        #expect(partial.observed.unobserved["memory available"] == nil)
        #expect(partial.observed.unobserved.count == 4)
        #expect(partial.observed.health == .degraded)
    }

    @Test func offlineAHostOfOnlyFilesIsComparedInFull() async throws {
        let image = TemporaryDirectory("chainbot-image")
        image.write("etc/hostname", "alexos-pi\n")
        image.write("etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\talexos-pi\n")
        image.write("boot/firmware/config.txt", "dtparam=audio=on\n")
        let spec = HostSpec(
            hostname: "alexos-pi",
            bootConfig: [
                BootConfigSection(section: "all", entries: [BootConfigEntry(key: "dtparam", values: ["audio=on"])])
            ])
        let planned = try await HostProviderHarness.offline(root: image.path).plan(spec)
        #expect(planned.changes.isEmpty)
        #expect(planned.observed.unobserved.isEmpty)
    }

    @Test func aRebootRequiredMarkerMakesAHealthyHostProgressing() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("run/chainbot/reboot-required", "/boot/firmware/config.txt changed\n")
        let planned = try await HostProviderHarness.live(root: tree.path).plan(Self.spec)
        #expect(planned.observed.health == .progressing)
        #expect(planned.observed.healthReason == "reboot required (/boot/firmware/config.txt changed)")
    }
}
