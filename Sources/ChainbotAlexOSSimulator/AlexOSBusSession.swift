import ChainbotHTTP
import Glibc

/// One agent's connection to the simulator's bus: what it sends is recorded (faults applied first),
/// what the bus pushes is sent on the next tick (at once: the push wakes it).
final class AlexOSBusSession: WebSocketSession {
    let bus: AlexOSBus
    let waker = WebSocketWaker()
    private var id = 0

    init(bus: AlexOSBus) { self.bus = bus }

    deinit { bus.closed(id) }

    func opened(_ connection: WebSocketConnection) { id = bus.opened(waker: waker) }

    func received(_ text: String, on connection: WebSocketConnection) {
        let fault = bus.takeFault()
        switch fault?.mode {
        case .drop?, .error500?, .down?:
            connection.abort()
        case .dropAfterCommit?, .error500AfterCommit?:
            bus.record(text, connection: id)
            connection.abort()
        case .delay?:
            // A stalled bus: this connection's thread reads nothing and answers no ping meanwhile.
            stall(fault?.delay ?? .zero)
            bus.record(text, connection: id)
        case nil:
            bus.record(text, connection: id)
        }
    }

    func tick(_ connection: WebSocketConnection) {
        for text in bus.takePushes(id) { connection.send(text: text) }
    }

    private func stall(_ delay: Duration) {
        let end = ContinuousClock.now + delay
        while ContinuousClock.now < end {
            let left = end - ContinuousClock.now
            let microseconds = min(left, .milliseconds(100)).components.attoseconds / 1_000_000_000_000
            usleep(UInt32(max(1, microseconds)))
        }
    }
}
