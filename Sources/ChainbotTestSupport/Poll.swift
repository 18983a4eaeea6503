/// Waiting on a condition instead of a fixed sleep, for tests on a loaded machine.
public enum Poll {
    /// Polls `condition` every 100 ms until it holds (true) or `limit` has passed (false).
    public static func within(_ limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
