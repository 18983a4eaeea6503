import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

@testable import ChainbotProviders

/// A throwaway network namespace with private UFW state and a peer namespace across a veth pair, made by
/// `contrib/testbed/ufw-netns.sh` and destroyed when released.
final class UfwNamespace: Sendable {
    static let script = Fixtures.path("contrib/testbed/ufw-netns.sh")
    static let python = "/usr/bin/python3"
    /// The namespace's own address on the veth pair; the peer is 10.213.0.2.
    static let address = "10.213.0.1"
    static let peerNetwork = "10.213.0.0/24"

    /// Nil when the real tests can run here; otherwise why not, for the skip message.
    static let unavailable: String? = {
        if geteuid() != 0 { return "needs root (network namespaces, mounts)" }
        if !["/usr/sbin/ufw", "/sbin/ufw"].contains(where: Fixtures.exists) {
            return "ufw is not installed (apt-get install ufw)"
        }
        if !Fixtures.exists(python) { return "needs \(python) for the TCP listener and client" }
        if !["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].contains(where: Fixtures.exists) {
            return "needs ip (iproute2)"
        }
        if access(script, X_OK) != 0 { return "\(script) is missing or not executable" }
        return nil
    }()

    private static let counter = Atomic<Int>(0)

    let name: String
    let runner = SpawnCommandRunner()

    init() throws {
        name = "cbufw-\(getpid())-\(Self.counter.wrappingAdd(1, ordering: .relaxed).newValue)"
        let result = try runner.runSynchronously(
            CommandInvocation(Self.script, ["create", name], timeout: .seconds(20)))
        try #require(result.succeeded, "ufw-netns.sh create \(name): \(result.errorOutput)")
    }

    deinit {
        _ = try? runner.runSynchronously(CommandInvocation(Self.script, ["destroy", name], timeout: .seconds(20)))
    }

    /// The backend, running every command inside this namespace with its private UFW state.
    var backend: UfwBackend { UfwBackend(runner: runner, prefix: [Self.script, "exec", name]) }

    /// Runs `ufw ARGUMENTS…` inside, as a person would by hand.
    func ufw(_ arguments: String...) async throws -> CommandResult {
        let result = try await runner.run(CommandInvocation(Self.script, ["exec", name, "ufw"] + arguments))
        try #require(result.succeeded, "ufw \(arguments.joined(separator: " ")): \(result.errorOutput)")
        return result
    }

    /// Listens on `ports` (all addresses) inside until a connection to `quitPort` on loopback, or 180 s (a loaded machine); returns
    /// once every port accepts on loopback (which ufw always allows).
    func listen(on ports: [Int], quitPort: Int) async throws -> Task<Void, Never> {
        let listener = #"""
            import selectors, socket, sys, time
            sel = selectors.DefaultSelector()
            for p in map(int, sys.argv[1:]):
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", p)); s.listen(16); s.setblocking(False); sel.register(s, selectors.EVENT_READ, p)
            quit, deadline = int(sys.argv[-1]), time.time() + 600
            while time.time() < deadline:
                for key, _ in sel.select(0.2):
                    c, _ = key.fileobj.accept(); c.close()
                    if key.data == quit: sys.exit(0)
            """#
        let arguments = ["exec", name, Self.python, "-c", listener] + (ports + [quitPort]).map(String.init)
        let runner = runner
        // The listener lives until the quit port is hit (or its own 600 s safety deadline): a test on a
        // loaded machine may run far longer than 30 s between listen and its last check.
        let task = Task {
            _ = try? await runner.run(CommandInvocation(Self.script, arguments, timeout: .seconds(620)))
        }
        let ready = try await inside(
            #"""
            import socket, sys, time
            deadline = time.time() + 30
            for p in map(int, sys.argv[1:]):
                while True:
                    try: socket.create_connection(("127.0.0.1", p), timeout=0.5).close(); break
                    except OSError:
                        if time.time() > deadline: sys.exit("port %d never listened" % p)
                        time.sleep(0.05)
            """#, ports.map(String.init))
        try #require(ready.succeeded, "listener: \(ready.errorOutput)")
        return task
    }

    /// Stops a listener started by `listen`.
    func stopListening(_ task: Task<Void, Never>, quitPort: Int) async throws {
        _ = try await inside(
            "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=1)", ["\(quitPort)"])
        await task.value
    }

    /// Connects from the peer namespace across the veth pair to each port: "open", or "closed" (refused,
    /// or no answer within 2 s: a dropped SYN; the wait leaves room for a loaded machine to answer).
    func reachable(_ ports: [Int]) async throws -> [Int: String] {
        let client = #"""
            import socket, sys
            for p in sys.argv[1:]:
                try: socket.create_connection(("10.213.0.1", int(p)), timeout=2).close(); print(p, "open")
                except OSError: print(p, "closed")
            """#
        let result = try await runner.run(
            CommandInvocation(Self.script, ["peer", name, Self.python, "-c", client] + ports.map(String.init)))
        try #require(result.succeeded, "client: \(result.errorOutput)")
        var out: [Int: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let port = Int(parts[0]) { out[port] = String(parts[1]) }
        }
        return out
    }

    private func inside(_ program: String, _ arguments: [String]) async throws -> CommandResult {
        try await runner.run(
            CommandInvocation(
                Self.script, ["exec", name, Self.python, "-c", program] + arguments, timeout: .seconds(15)))
    }
}

/// The host's own UFW files and firewall, to prove a test left them as they were.
struct HostFirewallState: Equatable {
    var files: [String: [UInt8]]
    var nftRuleset: String

    static func capture() throws -> HostFirewallState {
        var files: [String: [UInt8]] = [:]
        for directory in ["/etc/ufw", "/lib/ufw"] {
            for name in Fixtures.list(directory, hidden: true) {
                files[directory + "/" + name] = Fixtures.read(directory + "/" + name) ?? []
            }
        }
        files["/etc/default/ufw"] = Fixtures.read("/etc/default/ufw")
        files["/run/ufw.lock exists"] = Fixtures.exists("/run/ufw.lock") ? [1] : [0]
        let nft = try SpawnCommandRunner().runSynchronously(CommandInvocation("nft", ["list", "ruleset"]))
        return HostFirewallState(files: files, nftRuleset: nft.output + nft.errorOutput)
    }
}
