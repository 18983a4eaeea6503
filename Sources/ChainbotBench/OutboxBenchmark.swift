import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotDelivery
import ChainbotHTTP
import ChainbotProviders
import ChainbotStore
import Glibc

/// `chainbot-bench outbox N`: N events persisted with their outbox entries in a real SQLite file (one
/// transaction each, as the agent records them), the process's memory while all N wait, then all N
/// delivered to the ALEX OS simulator on loopback (a new connection per event, in order), counted on the
/// simulator's side.
struct OutboxBenchmark {
    let events: Int

    func run() async throws {
        let directory = "/tmp/chainbot-bench-outbox-\(getpid())"
        mkdir(directory, 0o700)
        defer {
            for suffix in ["", "-wal", "-shm"] { unlink(directory + "/state.db" + suffix) }
            rmdir(directory)
        }
        var store = try SQLiteStateStore.open(path: directory + "/state.db")
        store.outboxLimit = max(events, 10_000)
        let clock = ContinuousClock()
        let rssBefore = Self.memory("VmRSS")
        let persistStart = clock.now
        for index in 0..<events {
            let event = Event(
                type: index % 7 == 0 ? .warning : .normal, reason: index % 7 == 0 ? .driftDetected : .applied,
                regardingKind: "Service", regardingName: "svc-\(index % 100)",
                message: "changed: unit file (\(index))", generation: "sha256:0123456789ab")
            try store.recordEvent(event) { stored, key in EventEnvelope.render(stored, idempotencyKey: key) }
        }
        let persisted = clock.now - persistStart
        let waiting = try store.pendingOutboxCount()
        let rssWaiting = Self.memory("VmRSS")

        let simulator = try AlexOSSimulatorServer()
        defer { Task { await simulator.stop() } }
        let delivery = OutboxDelivery(
            store: store, transport: HTTPClient(), endpoints: try AlexOSEndpoints(baseURL: simulator.baseURL))
        let deliverStart = clock.now
        var rounds = 0
        while try store.pendingOutboxCount() > 0, rounds < 1000 {
            _ = try await delivery.deliverPending()
            rounds += 1
        }
        let delivered = clock.now - deliverStart
        let received = await simulator.simulator.events.count
        print(
            "outbox \(events) events: persisted in \(Self.ms(persisted)) ms (\(Self.rate(events, persisted)) events/s), "
                + "\(waiting) waiting; RSS \(rssBefore) KiB before, \(rssWaiting) KiB with all waiting, peak "
                + "\(Self.memory("VmHWM")) KiB; delivered in \(Self.ms(delivered)) ms "
                + "(\(Self.rate(events, delivered)) events/s), simulator received \(received)")
    }

    static func memory(_ field: String) -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix(field + ":") { return Int(text.split(separator: " ").dropFirst().first ?? "0") ?? 0 }
        }
        return 0
    }

    static func ms(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    static func rate(_ count: Int, _ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Int(Double(count) / seconds) : 0
    }
}
