/// Per-key exponential backoff with jitter: 1 s, 2 s, 4 s … up to a maximum, ±`jitter` of the delay.
public struct Backoff: Sendable {
    public var base: Duration
    public var maximum: Duration
    /// The fraction of the delay added or taken at random, so many failing keys do not retry in step.
    public var jitter: Double
    private var failures: [String: Int] = [:]

    public init(base: Duration = .seconds(1), maximum: Duration = .seconds(300), jitter: Double = 0.1) {
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Counts a failure of `key` and returns how long to wait before trying again.
    public mutating func next(_ key: String, random: Double = Double.random(in: -1...1)) -> Duration {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        let factor = Double(1 << min(count - 1, 30))
        let delay = min(Self.seconds(base) * factor, Self.seconds(maximum))
        let jittered = max(0, delay * (1 + jitter * random))
        // A maximum no Int64 of milliseconds holds (or a NaN from an odd jitter) waits the maximum.
        guard let milliseconds = Int64(exactly: (jittered * 1000).rounded(.down)) else { return maximum }
        return .milliseconds(milliseconds)
    }

    /// Forgets `key`'s failures after a success.
    public mutating func forget(_ key: String) { failures[key] = nil }

    /// How many times in a row `key` failed.
    public func failureCount(_ key: String) -> Int { failures[key] ?? 0 }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
