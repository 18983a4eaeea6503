import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// `SystemdUnitMonitor` against a real systemd as PID 1 (the testbed): on its system bus, and on its
/// direct socket `/run/systemd/private` through a byte relay inside the testbed, because systemd refuses
/// direct clients whose pid it cannot see (a process outside its pid namespace, such as this test).
@Suite(.enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"))
struct SystemdUnitMonitorInTestbedTests {
    static let unit = "[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n"

    /// Every name the monitor reported and why it was lost, for polling.
    final class Seen: Sendable {
        private let state = Mutex<(names: [String], lost: [String])>(([], []))
        var names: [String] { state.withLock { $0.names } }
        var lost: [String] { state.withLock { $0.lost } }
        func change(_ name: String) { state.withLock { $0.names.append(name) } }
        func lose(_ why: String) { state.withLock { $0.lost.append(why) } }
        func clear() { state.withLock { $0.names = [] } }
    }

    @Test func reportsAUnitStoppedStartedAndEnabledByHandOnTheSystemBusAndItsLossWhenDbusRestarts() async throws {
        try await Testbed.with(name: "unit-monitor-bus", runner: SpawnCommandRunner()) { testbed in
            try await testbed.writeFile("/etc/systemd/system/monitored.service", Self.unit)
            try await Self.run(testbed, ["systemctl", "start", "monitored.service"])
            let seen = Seen()
            let monitor = try SystemdUnitMonitor(
                address: "unix:path=/proc/\(testbed.leader)/root\(SystemdUnitMonitor.systemBus)",
                onChange: seen.change, onLost: seen.lose)
            defer { monitor.stop() }
            #expect(monitor.isBus)
            try await Self.expectReports(testbed, seen)
            try await Self.run(testbed, ["systemctl", "restart", "dbus.service"])
            #expect(try await Poll.within(.seconds(120)) { !seen.lost.isEmpty }, "no onLost after dbus restarted")
            #expect(seen.lost.count == 1)
        }
    }

    @Test func reportsAUnitStoppedStartedAndEnabledByHandOnSystemdsDirectSocketAndItsLossOnReexec() async throws {
        try await Testbed.with(name: "unit-monitor-direct", runner: SpawnCommandRunner()) { testbed in
            try await testbed.writeFile("/etc/systemd/system/monitored.service", Self.unit)
            try await Self.run(testbed, ["systemctl", "start", "monitored.service"])
            let relay = try await Self.startRelay(testbed)
            let seen = Seen()
            let monitor = try SystemdUnitMonitor(address: relay, onChange: seen.change, onLost: seen.lose)
            defer { monitor.stop() }
            #expect(!monitor.isBus)
            try await Self.expectReports(testbed, seen)
            // daemon-reexec closes every direct connection.
            try await Self.run(testbed, ["systemctl", "daemon-reexec"])
            #expect(try await Poll.within(.seconds(120)) { !seen.lost.isEmpty }, "no onLost after daemon-reexec")
        }
    }

    @Test func systemdsDirectSocketRefusesAClientOutsideItsPidNamespace() async throws {
        try await Testbed.with(name: "unit-monitor-refused", runner: SpawnCommandRunner()) { testbed in
            let address = "/proc/\(testbed.leader)/root\(SystemdUnitMonitor.privateSocket)"
            #expect(throws: DBusError.self) {
                _ = try SystemdUnitMonitor(address: address, onChange: { _ in }, onLost: { _ in })
            }
        }
    }

    @Test func stopEndsTheMonitorWithoutCallingOnLost() async throws {
        try await Testbed.with(name: "unit-monitor-stop", runner: SpawnCommandRunner()) { testbed in
            let seen = Seen()
            let monitor = try SystemdUnitMonitor(
                address: "/proc/\(testbed.leader)/root\(SystemdUnitMonitor.systemBus)", onChange: seen.change,
                onLost: seen.lose)
            monitor.stop()
            monitor.stop()
            try await testbed.writeFile("/etc/systemd/system/monitored.service", Self.unit)
            try await Self.run(testbed, ["systemctl", "start", "monitored.service"])
            try await Self.run(testbed, ["systemctl", "restart", "dbus.service"])
            #expect(!(try await Poll.within(.seconds(2)) { !seen.lost.isEmpty || !seen.names.isEmpty }))
        }
    }

    /// Stop, start and enable `monitored.service` by hand; each is reported within a generous deadline.
    static func expectReports(_ testbed: Testbed, _ seen: Seen) async throws {
        try await run(testbed, ["systemctl", "stop", "monitored.service"])
        #expect(
            try await Poll.within(.seconds(120)) { seen.names.contains("monitored.service") },
            "stop not reported: \(seen.names)")
        seen.clear()
        try await run(testbed, ["systemctl", "start", "monitored.service"])
        #expect(
            try await Poll.within(.seconds(120)) { seen.names.contains("monitored.service") },
            "start not reported: \(seen.names)")
        seen.clear()
        try await run(testbed, ["systemctl", "enable", "monitored.service"])
        #expect(
            try await Poll.within(.seconds(120)) { seen.names.contains(SystemdUnitMonitor.anyUnit) },
            "enable not reported: \(seen.names)")
    }

    static func run(_ testbed: Testbed, _ argv: [String]) async throws {
        let result = try await testbed.exec(argv)
        try #require(result.succeeded, "\(argv.joined(separator: " ")): \(result.errorOutput)")
    }

    /// Starts a transient unit in the testbed that relays one client of `/run/chainbot-relay/private` to
    /// `/run/systemd/private` byte for byte; returns the relay's socket path as the host sees it (named
    /// `private`, so the monitor treats it as systemd's direct socket).
    static func startRelay(_ testbed: Testbed) async throws -> String {
        let script = """
            import os, select, socket
            os.makedirs("/run/chainbot-relay", exist_ok=True)
            server = socket.socket(socket.AF_UNIX)
            server.bind("/run/chainbot-relay/private.tmp")
            server.listen(1)
            os.rename("/run/chainbot-relay/private.tmp", "/run/chainbot-relay/private")
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect("/run/systemd/private")
            while True:
                for end in select.select([client, upstream], [], [])[0]:
                    data = end.recv(65536)
                    if not data:
                        raise SystemExit(0)
                    (upstream if end is client else client).sendall(data)
            """
        try await testbed.writeFile("/usr/local/lib/chainbot-relay.py", script)
        try await run(
            testbed, ["systemd-run", "--unit=chainbot-relay", "--quiet", "python3", "/usr/local/lib/chainbot-relay.py"])
        let path = "/proc/\(testbed.leader)/root/run/chainbot-relay/private"
        try #require(try await Poll.within(.seconds(120)) { access(path, F_OK) == 0 }, "the relay did not start")
        return path
    }
}
