import ChainbotCore
import ChainbotOS
import Glibc

/// Two throwaway network namespaces joined by a veth pair (`contrib/testbed/netns.sh`): `host` plays the
/// Pi, `peer` a machine on its LAN. `remove()` deletes both; tests call it in `defer`.
public struct NetworkPair: Sendable {
    public static let script = Fixtures.path("contrib/testbed/netns.sh")
    public let name: String
    public let hostAddress: String
    public let peerAddress: String
    let runner = SpawnCommandRunner()

    /// Why the pair cannot be made here, or nil when it can (root, `ip`, `nft`, `python3`).
    public static func unavailable() -> String? {
        if geteuid() != 0 { return "needs root to create network namespaces" }
        for tool in ["/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/python3"] where !Fixtures.exists(tool) {
            return "needs \(tool) (apt-get install iproute2 nftables python3)"
        }
        return nil
    }

    public static func create(_ name: String) throws -> NetworkPair {
        let runner = SpawnCommandRunner()
        _ = try? runner.runSynchronously(CommandInvocation(script, ["down", name]))
        let result = try runner.runSynchronously(CommandInvocation(script, ["up", name], timeout: .seconds(20)))
        guard result.succeeded else { throw PairError(message: "netns.sh up \(name): \(result.errorOutput)") }
        let addresses = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard addresses.count == 2 else { throw PairError(message: "netns.sh up printed '\(result.output)'") }
        return NetworkPair(name: name, hostAddress: addresses[0], peerAddress: addresses[1])
    }

    public func remove() {
        _ = try? runner.runSynchronously(CommandInvocation(Self.script, ["down", name], timeout: .seconds(20)))
    }

    /// The invocation of `argv` inside one side.
    public func invocation(
        _ side: Side, _ argv: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) -> CommandInvocation {
        CommandInvocation(
            Self.script, ["exec", name, side.rawValue] + argv, environment: environment, timeout: timeout)
    }

    public func run(
        _ side: Side, _ argv: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        try await runner.run(invocation(side, argv, environment: environment, timeout: timeout))
    }

    /// True when a TCP connection from the peer to the host's `port` is accepted within half a second.
    public func peerConnects(to port: Int) async throws -> Bool {
        let result = try await run(
            .peer, ["python3", Fixtures.path("contrib/testbed/tcp.py"), "probe", hostAddress, String(port), "0.5"])
        return result.succeeded
    }

    public enum Side: String, Sendable { case host, peer }

    public struct PairError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// A command runner that runs everything inside one side of a `NetworkPair` (for provider-level tests).
public struct NamespacedRunner: CommandRunner {
    let pair: NetworkPair
    let side: NetworkPair.Side

    public init(_ pair: NetworkPair, _ side: NetworkPair.Side) {
        self.pair = pair
        self.side = side
    }

    public func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        var wrapped = pair.invocation(
            side, [invocation.executable] + invocation.arguments, environment: invocation.environment,
            timeout: invocation.timeout)
        wrapped.standardInput = invocation.standardInput
        return try await SpawnCommandRunner().run(wrapped)
    }
}
