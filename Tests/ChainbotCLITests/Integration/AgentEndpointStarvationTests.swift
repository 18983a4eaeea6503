import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// The agent endpoint as configured for the agent, over real loopback sockets: slow clients from one peer
/// cannot keep `/healthz` from another peer from answering, and they are closed within seconds.
@Suite struct AgentEndpointStarvationTests {
    /// A blocking socket from `source` (any 127.x address is loopback on Linux) that sent half a head.
    final class SlowClient: Sendable {
        let fd: Int32

        init(port: Int, from source: String) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure("socket: \(errno)") }
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            _ = inet_pton(AF_INET, source, &local.sin_addr)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = UInt16(port).bigEndian
            _ = inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw Failure("bind \(source): \(errno)") }
            let connected = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            guard connected == 0 else { throw Failure("connect: \(errno)") }
            var timeout = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let head = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8)
            guard send(fd, head, head.count, Int32(MSG_NOSIGNAL)) == head.count else { throw Failure("send") }
        }

        deinit { close(fd) }

        /// Everything the server sends until it closes; nil when it did not close within 15 s.
        func readUntilClosed() -> String? {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count == 0 || (count < 0 && errno == ECONNRESET) {
                    return String(decoding: received, as: UTF8.self)
                }
                if count < 0 { return errno == EINTR ? readUntilClosed() : nil }
                received += buffer[..<count]
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func fortySlowClientsFromOnePeerLeaveHealthzToAnotherPeerAndAreClosedSoon() async throws {
        let directory = TemporaryDirectory("chainbot-starve")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        let server = try AgentEndpoint(
            store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(),
            token: "s3cret-token-0123456789"
        ).start(host: "127.0.0.1", port: 0)
        let opened = ContinuousClock.now
        let slow = try (0..<40).map { _ in try SlowClient(port: server.port, from: "127.0.0.2") }

        let start = ContinuousClock.now
        let health = try await HTTPClient().send(HTTPRequest(url: server.baseURL + "/healthz"))
        let answeredIn = ContinuousClock.now - start
        // Connections are accepted in order, so all 40 were taken or refused before the health check was
        // answered; when that was before the first slot timed out (3 s), exactly 8 were taken.
        let allCountedAtOnce = ContinuousClock.now - opened < .seconds(3)
        // Every slow client is answered and closed: read them all on their own threads at once.
        let answers = try await withThrowingTaskGroup(of: String?.self) { group in
            for client in slow { group.addTask { try await Self.offPool { client.readUntilClosed() } } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        let allClosedIn = ContinuousClock.now - opened
        await server.stop()

        #expect(health.status == 200)
        // Starved, it got 503 for ~10 s; with the loopback slot it is answered 200 without waiting for the
        // slow clients to time out (the 200 is the proof; the bound only catches a hang, with room for a
        // loaded 2-core machine running other suites: 21 s was seen in a full run).
        #expect(answeredIn < .seconds(120), "healthz answered in \(answeredIn)")
        let statuses = answers.map { $0.map { String($0.prefix(12)) } ?? "still open" }
        var counted: [String: Int] = [:]
        for status in statuses { counted[status, default: 0] += 1 }
        // 8 slots for the peer (timed out after 3 s: 408), the other 32 over its budget (429 at once).
        if allCountedAtOnce {
            #expect(counted == ["HTTP/1.1 408": 8, "HTTP/1.1 429": 32], "\(counted)")
        } else {
            // On a loaded machine the 40 may be accepted while the first slots already time out.
            #expect(counted["HTTP/1.1 429", default: 0] >= 1, "\(counted)")
            #expect(counted.keys.allSatisfy { ["HTTP/1.1 408", "HTTP/1.1 429"].contains($0) }, "\(counted)")
        }
        // Every one was answered (408 or 429, above) and closed: bounded, with room for a loaded machine (a
        // client not closed 15 s after it began reading is "still open" above; 30 s in all was seen in a full run).
        #expect(allClosedIn < .seconds(120), "all closed in \(allClosedIn)")
    }

    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try DetachedThread.start(stackSize: 256 * 1024) { continuation.resume(returning: body()) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
