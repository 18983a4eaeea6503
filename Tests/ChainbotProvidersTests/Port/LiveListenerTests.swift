import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotProviders

extension PortTests {
    /// Reads the real /proc of this machine while the test holds sockets of its own, and compares the whole
    /// listener set with what `ss` (iproute2) reports from netlink.
    @Suite(.enabled(if: Fixtures.exists("/proc/net/tcp"), "/proc/net/tcp is missing: this is not a Linux /proc"))
    struct LiveListenerTests {
        /// `ss` in PATH, or nil.
        static let ss: String? = {
            let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
            return path.split(separator: ":").map { "\($0)/ss" }.first { access($0, X_OK) == 0 }
        }()

        /// This process as the reader must report it.
        static func me() throws -> ListenerOwner {
            let comm = try #require(Fixtures.readText("/proc/self/comm"))
            let cgroup = Fixtures.readText("/proc/self/cgroup") ?? ""
            return ListenerOwner(
                pid: getpid(), command: String(comm.prefix { $0 != "\n" }), unit: CgroupUnit.unit(fromCgroup: cgroup))
        }

        @Test func findsThisProcessListenersInTheLiveProc() throws {
            let loopback = try #require(TestSocket.tcpListener("127.0.0.1"))
            let anyIPv4 = try #require(TestSocket.tcpListener("0.0.0.0"))
            let udp = try #require(TestSocket.udp("127.0.0.1"))
            // IPv6 may be off on a test machine; the IPv4 checks stand on their own.
            let anyIPv6 = Fixtures.exists("/proc/net/tcp6") ? TestSocket.tcpListener("::") : nil
            let client = try #require(TestSocket.tcpClient(to: loopback.port))
            let udpClient = try #require(TestSocket.udpClient(to: udp.port))

            let listeners = try ListenerReader(fileSystem: LocalFileSystem()).read()
            let me = try Self.me()
            var expected: [(NetworkProtocol, String, Int)] = [
                (.tcp, "127.0.0.1", loopback.port), (.tcp, "0.0.0.0", anyIPv4.port), (.udp, "127.0.0.1", udp.port),
            ]
            if let anyIPv6 { expected.append((.tcp, "::", anyIPv6.port)) }
            for (networkProtocol, address, port) in expected {
                let found = listeners.filter { $0.networkProtocol == networkProtocol && $0.port == port }
                #expect(found.map(\.address) == [address], "\(address):\(port)/\(networkProtocol)")
                #expect(found.first?.owners.contains(me) == true, "\(found) should be owned by \(me)")
            }
            #expect(!listeners.contains { $0.networkProtocol == .tcp && $0.port == client.port })
            #expect(!listeners.contains { $0.networkProtocol == .udp && $0.port == udpClient.port })
            #expect(listeners == listeners.sorted())
        }

        @Test(.enabled(if: ss != nil, "ss is not installed (apt-get install iproute2): cannot cross-check /proc"))
        func agreesWithSs() async throws {
            let ss = try #require(Self.ss)
            // Sockets of our own, so that the sets are never trivially empty.
            let sockets = [TestSocket.tcpListener("127.0.0.1"), TestSocket.udp("127.0.0.1")]
            #expect(sockets.allSatisfy { $0 != nil })
            let reader = ListenerReader(fileSystem: LocalFileSystem())
            // Other processes (and tests running beside this one) open and close sockets meanwhile: a socket seen
            // by both /proc reads must be in ss's answer and every socket ss reports must be in one of them. A
            // socket that lived shorter than a read makes one attempt disagree, not every one: what fails the
            // test is a disagreement in each of five attempts about the same socket.
            var persistent: (onlyInProc: Set<String>, onlyInSs: Set<String>)?
            for _ in 0..<5 {
                let before = try Self.endpoints(reader.read())
                let tcp = try await Self.run(ss, ["-ltnH"])
                let udp = try await Self.run(ss, ["-lunH"])
                let after = try Self.endpoints(reader.read())
                let found = Self.compare(
                    before: before, ss: Self.ssEndpoints(tcp, "tcp").union(Self.ssEndpoints(udp, "udp")), after: after)
                persistent =
                    persistent.map {
                        ($0.onlyInProc.intersection(found.onlyInProc), $0.onlyInSs.intersection(found.onlyInSs))
                    } ?? found
                if let persistent, persistent.onlyInProc.isEmpty, persistent.onlyInSs.isEmpty { break }
            }
            let disagreement = try #require(persistent)
            #expect(disagreement.onlyInProc.isEmpty, "only in /proc: \(disagreement.onlyInProc.sorted())")
            #expect(disagreement.onlyInSs.isEmpty, "only in ss: \(disagreement.onlyInSs.sorted())")
            withExtendedLifetime(sockets) {}
        }

        /// `tcp 127.0.0.1:9000` for each listener.
        static func endpoints(_ listeners: [Listener]) -> Set<String> {
            Set(listeners.map { "\($0.networkProtocol.rawValue) \($0.endpoint)" })
        }

        /// The local `address:port` of each `ss -H` line, normalized the way the reader normalizes (`*` is `::`,
        /// an interface after `%` dropped, IPv4-mapped shown as IPv4).
        static func ssEndpoints(_ output: String, _ networkProtocol: String) -> Set<String> {
            var endpoints: Set<String> = []
            for line in output.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 5, let colon = fields[3].lastIndex(of: ":"),
                    let port = Int(fields[3][colon...].dropFirst()),
                    port != 0
                else { continue }
                var host = fields[3][..<colon]
                if let percent = host.firstIndex(of: "%") { host = host[..<percent] }
                var address = String(host.filter { $0 != "[" && $0 != "]" })
                if address == "*" { address = "::" }
                endpoints.insert(
                    "\(networkProtocol) \(ListenerAddress.endpoint(ListenerAddress.normalized(address), port: port))")
            }
            return endpoints
        }

        /// The endpoints of both reads that `ss` did not report, and those `ss` reported that neither read saw.
        static func compare(
            before: Set<String>, ss: Set<String>, after: Set<String>
        ) -> (onlyInProc: Set<String>, onlyInSs: Set<String>) {
            (before.intersection(after).subtracting(ss), ss.subtracting(before.union(after)))
        }

        static func run(_ executable: String, _ arguments: [String]) async throws -> String {
            let result = try await SpawnCommandRunner().run(
                CommandInvocation(executable, arguments, timeout: .seconds(10)))
            try #require(result.succeeded, "\(executable) \(arguments.joined(separator: " ")): \(result.errorOutput)")
            return result.output
        }
    }
}
