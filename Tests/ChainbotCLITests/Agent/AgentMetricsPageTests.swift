import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI
@testable import ChainbotDelivery

/// The `/metrics` page from a real state file, read with a strict parser: every resource of the desired
/// set, label escaping, the outbox by channel, the git source, and the Pi's and the process's gauges from
/// a `/sys` and `/proc` tree the test wrote (and, once, the real host's).
struct AgentMetricsPageTests {
    /// A state file, a fake host root and the metrics the page reads.
    struct World {
        let directory = TemporaryDirectory("chainbot-metrics")
        let store: SQLiteStateStore
        let runner = FakeCommandRunner()
        let metrics: AgentMetrics
        var root: String { directory.file("root") }

        init(disk: PiHardware.DiskSpace? = nil) throws {
            store = try SQLiteStateStore.open(path: directory.file("state/state.db"))
            let fileSystem = LocalFileSystem(root: directory.file("root"))
            mkdir(directory.file("root"), 0o755)
            metrics = AgentMetrics(
                host: AgentMetricsHost(fileSystem: fileSystem, runner: runner, diskSpace: { _ in disk }))
        }

        func status(_ kind: String, _ name: String, _ sync: ResourceStatus.Sync, _ health: Health) throws {
            try store.recordStatus(
                ResourceStatus(kind: kind, name: name, sync: sync, health: health, updatedAt: Timestamp.now()))
        }

        /// Writes a Pi's `/sys` and `/proc` under the root.
        func writePiTree() {
            directory.write("root/sys/class/thermal/thermal_zone0/temp", "48312\n")
            directory.write("root/sys/class/thermal/thermal_zone0/type", "cpu-thermal\n")
            directory.write(
                "root/proc/meminfo",
                "MemTotal:        3884096 kB\nMemFree:          112000 kB\nMemAvailable:    2951212 kB\n")
            // The command name holds a space and a parenthesis: fields count from its last ')'.
            directory.write(
                "root/proc/self/stat",
                "1234 (chain) bot) S 1 1234 1234 0 -1 4194560 500 0 0 0 150 50 0 0 20 0 5 0 360000 734003200 4321 "
                    + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n")
            directory.write("root/proc/stat", "cpu  1 2 3 4\nbtime 1764583200\nprocesses 42\n")
            directory.write(
                "root/proc/self/limits",
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                    + "Max open files            1024                 524288               files     \n")
            for fd in ["0", "1", "2", "3"] { directory.write("root/proc/self/fd/\(fd)", "") }
        }

        func page() async throws -> AgentMetricsStrictParser {
            let text = await AgentMetricsPage(
                metrics: metrics, store: store, statePath: directory.file("state/state.db"), started: Timestamp.now()
            ).render()
            return try AgentMetricsStrictParser(text)
        }
    }

    @Test func everyDesiredResourceHasSyncAndHealthAndOneNotLookedAtYetIsUnknownNeverSynced() async throws {
        let world = try World()
        try world.status("ConfigFile", "motd", .synced, .healthy)
        try world.status("Service", "watchtower", .outOfSync, .degraded)
        world.metrics.desired([
            ResourceID(.configFile, "motd"), ResourceID(.service, "watchtower"), ResourceID(.port, "alexos"),
        ])

        let page = try await world.page()

        let motd = ["kind": "ConfigFile", "name": "motd"]
        let watchtower = ["kind": "Service", "name": "watchtower"]
        let port = ["kind": "Port", "name": "alexos"]
        #expect(page.samples("chainbot_resource_synced").count == 3)
        #expect(page.value("chainbot_resource_synced", motd) == 1)
        #expect(page.value("chainbot_resource_synced", watchtower) == 0)
        #expect(page.value("chainbot_resource_synced", port) == 0)
        #expect(page.value("chainbot_resource_healthy", motd) == 1)
        #expect(page.value("chainbot_resource_healthy", watchtower) == 0)
        #expect(page.value("chainbot_resource_healthy", port) == 0)
        #expect(page.value("chainbot_resource_sync_status", port.merging(["status": "Unknown"]) { $1 }) == 1)
        #expect(page.value("chainbot_resource_sync_status", port.merging(["status": "OutOfSync"]) { $1 }) == 0)
        #expect(page.value("chainbot_resource_sync_status", watchtower.merging(["status": "OutOfSync"]) { $1 }) == 1)
        #expect(page.value("chainbot_resource_health_status", port.merging(["status": "Unknown"]) { $1 }) == 1)
        #expect(page.value("chainbot_resource_health_status", watchtower.merging(["status": "Degraded"]) { $1 }) == 1)
        // A state set: exactly one state is 1 per resource.
        #expect(page.samples("chainbot_resource_health_status").count == 3 * Health.allCases.count)
        #expect(page.samples("chainbot_resource_health_status").filter { $0.value == 1 }.count == 3)
        #expect(page.value("chainbot_build_info", ["version": ChainbotCLI.version]) == 1)
    }

    @Test func labelValuesWithQuotesBackslashesAndNewlinesAreEscapedAndReadBackExactly() async throws {
        let world = try World()
        // A state file is outside data: a name no manifest would allow still makes a valid page.
        let hostile = "we\"ird\\name\nsecond line"
        try world.status("ConfigFile", hostile, .synced, .healthy)

        let text = await AgentMetricsPage(
            metrics: world.metrics, store: world.store, statePath: world.directory.file("state/state.db"),
            started: Timestamp.now()
        ).render()
        let page = try AgentMetricsStrictParser(text)

        #expect(text.contains(#"name="we\"ird\\name\nsecond line""#), "\(text)")
        #expect(page.value("chainbot_resource_synced", ["kind": "ConfigFile", "name": hostile]) == 1)
    }

    @Test func piGaugesAndProcessMetricsComeFromTheSysAndProcTreeTheTestWrote() async throws {
        let world = try World(
            disk: PiHardware.DiskSpace(path: "/var/lib/chainbot", totalBytes: 4000, availableBytes: 1000))
        world.writePiTree()
        world.runner.script("vcgencmd", ["get_throttled"], output: "throttled=0x50005\n")

        let page = try await world.page()

        #expect(
            page.value("chainbot_host_temperature_celsius", ["zone": "thermal_zone0", "type": "cpu-thermal"]) == 48.312)
        for (flag, now, since) in [
            ("underVoltage", 1.0, 1.0), ("frequencyCapped", 0, 0), ("throttled", 1, 1), ("softTempLimit", 0, 0),
        ] {
            #expect(page.value("chainbot_host_throttled", ["flag": flag]) == now, "\(flag)")
            #expect(page.value("chainbot_host_throttled_since_boot", ["flag": flag]) == since, "\(flag)")
        }
        #expect(page.value("chainbot_host_memory_available_bytes") == Double(2_951_212 * 1024))
        #expect(page.value("chainbot_host_memory_total_bytes") == Double(3_884_096 * 1024))
        #expect(page.value("chainbot_host_disk_free_ratio", ["path": "/var/lib/chainbot"]) == 0.25)
        #expect(page.value("chainbot_host_disk_available_bytes") == 1000)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(page.value("process_cpu_seconds_total") == 200 / ticks)
        #expect(page.value("process_virtual_memory_bytes") == 734_003_200)
        #expect(page.value("process_resident_memory_bytes") == Double(4321 * sysconf(Int32(_SC_PAGESIZE))))
        #expect(page.value("process_start_time_seconds") == 1_764_583_200 + 360_000 / ticks)
        #expect(page.value("process_open_fds") == 4)
        #expect(page.value("process_max_fds") == 1024)
        #expect(page.families["process_cpu_seconds_total"]?.type == "counter")
        #expect(world.runner.commandLines == ["vcgencmd get_throttled"])
    }

    @Test func withoutVcgencmdTheThrottlingGaugesAreAbsentNotZero() async throws {
        let world = try World()
        world.writePiTree()
        // Nothing scripted: vcgencmd cannot be started, as on a host without it.

        let page = try await world.page()

        #expect(page.families["chainbot_host_throttled"] == nil)
        #expect(page.families["chainbot_host_throttled_since_boot"] == nil)
        #expect(page.families["chainbot_host_disk_free_ratio"] == nil)
        #expect(page.value("chainbot_host_temperature_celsius", ["zone": "thermal_zone0"]) == 48.312)
    }

    @Test func theRealHostsProcMeminfoAndProcSelfAreRead() async throws {
        let directory = TemporaryDirectory("chainbot-metrics")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        let text = await AgentMetricsPage(
            metrics: AgentMetrics(), store: store, statePath: directory.file("state.db"), started: Timestamp.now()
        ).render()
        let page = try AgentMetricsStrictParser(text)

        let available = try #require(page.value("chainbot_host_memory_available_bytes"), "\(text)")
        let total = try #require(page.value("chainbot_host_memory_total_bytes"))
        #expect(available > 0 && available <= total)
        let ratio = try #require(page.value("chainbot_host_disk_free_ratio", ["path": directory.path]), "\(text)")
        #expect(ratio >= 0 && ratio <= 1)
        #expect(try #require(page.value("process_resident_memory_bytes")) > 1_048_576)
        #expect(try #require(page.value("process_virtual_memory_bytes")) > 1_048_576)
        let start = try #require(page.value("process_start_time_seconds"))
        let now = Double(Timestamp.now().millisecondsSinceEpoch) / 1000
        #expect(start <= now + 1 && start > now - 30 * 86_400)
        let open = try #require(page.value("process_open_fds"))
        #expect(open >= 3)
        #expect(try #require(page.value("process_max_fds")) >= open)
        #expect(try #require(page.value("process_cpu_seconds_total")) > 0)
    }

    @Test func theGitSourcesLastSuccessAndFailures() async throws {
        let world = try World()
        var page = try await world.page()
        #expect(page.families["chainbot_git_last_success_timestamp_seconds"] == nil)

        world.metrics.gitFollowed()
        page = try await world.page()
        #expect(page.value("chainbot_git_last_success_timestamp_seconds") == 0)
        world.metrics.gitPulled(succeeded: false)
        world.metrics.gitPulled(succeeded: true, at: Timestamp(millisecondsSinceEpoch: 1_764_583_200_250))
        page = try await world.page()

        #expect(page.value("chainbot_git_last_success_timestamp_seconds") == 1_764_583_200.25)
        #expect(page.value("chainbot_git_pull_failures_total") == 1)
    }

    @Test func outboxBacklogAndDeliveriesByChannelWebhookAndBus() async throws {
        let world = try World()
        for name in ["a", "b", "c"] {
            try world.store.recordEvent(
                Event(
                    type: .warning, reason: "ApplyFailed", regardingKind: "Service", regardingName: name, message: "x"),
                outboxPayload: { _, _ in "{}" })
        }
        var page = try await world.page()
        // No channel configured: the outbox is counted, no channel is made up.
        #expect(page.value("chainbot_outbox_backlog") == 3)
        #expect(page.families["chainbot_outbox_pending"] == nil)

        world.metrics.channel("webhook")
        world.metrics.delivered(channel: "webhook", delivered: 3, failed: 2)
        let bus = EventBusCounters()
        world.metrics.eventBus(bus)
        // The bus has confirmed entry 1; entries 2 and 3 wait for it.
        try world.store.recordChannelDelivery(AgentEventBus.channelName, after: 0, through: 1, marksEntries: false)
        bus.ended("connection refused", failedToConnect: true)
        bus.connected()
        bus.addPublished(1)
        page = try await world.page()

        #expect(page.value("chainbot_outbox_pending", ["channel": "webhook"]) == 3)
        #expect(page.value("chainbot_outbox_pending", ["channel": "bus"]) == 2)
        #expect(page.value("chainbot_outbox_deliveries_total", ["channel": "webhook"]) == 3)
        #expect(page.value("chainbot_outbox_deliveries_total", ["channel": "bus"]) == 1)
        #expect(page.value("chainbot_outbox_delivery_failures_total", ["channel": "webhook"]) == 2)
        #expect(page.value("chainbot_outbox_delivery_failures_total", ["channel": "bus"]) == 1)
        #expect(page.value("chainbot_event_bus_connected") == 1)
        #expect(page.value("chainbot_event_bus_connections_total") == 1)
    }
}
