import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotHTTP

/// `TCPReachability.check`: the HTTP client's connect on its own, against real loopback sockets.
@Suite struct TCPReachabilityTests {
    @Test func aListenerIsReachableAndAClosedPortIsRefusedByItsErrno() async throws {
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 8)
        try await TCPReachability.check(host: "127.0.0.1", port: port, timeout: .seconds(5))
        listener.close()
        let closed = try ClosedTCPPort()
        let error = await #expect(throws: TCPConnectError.self) {
            try await TCPReachability.check(host: "127.0.0.1", port: closed.port, timeout: .seconds(5))
        }
        guard case .system(let system)? = error else {
            Issue.record("expected a system error, got \(String(describing: error))")
            return
        }
        #expect(system.code == ECONNREFUSED)
    }

    @Test func aCancelledCheckStopsWaitingLongBeforeItsTimeout() async throws {
        // Nobody accepts and the backlog is 0: once the queue is full the kernel drops further SYNs.
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        defer { listener.close() }
        var full = false
        for _ in 0..<8 where !full {
            do { try await TCPReachability.check(host: "127.0.0.1", port: port, timeout: .milliseconds(300)) } catch {
                full = error == .timedOut
            }
        }
        try #require(full, "the accept queue never filled")
        let clock = ContinuousClock()
        let started = clock.now
        let check = Task {
            try await TCPReachability.check(host: "127.0.0.1", port: port, timeout: .seconds(600))
        }
        check.cancel()
        let result = await check.result
        #expect(throws: TCPConnectError.cancelled) { try result.get() }
        // Generous for a loaded 2-core machine; without cancellation the wait would be 600 s.
        #expect(clock.now - started < .seconds(60))
    }
}
