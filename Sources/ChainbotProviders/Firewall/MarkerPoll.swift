/// Waits for a marker file's condition by checking it at an interval on an injected clock: the firewall
/// guard and its watchdog meet only through files, so there is nothing to be woken by.
enum MarkerPoll {
    /// Checks `condition` every `interval` on `clock` until it holds (true) or `limit` has passed (false);
    /// a cancelled task stops waiting and gets the condition's last answer.
    static func wait<C: Clock>(
        on clock: C, every interval: Duration, for limit: Duration, until condition: () -> Bool
    ) async -> Bool where C.Duration == Duration {
        let deadline = clock.now.advanced(by: limit)
        while !condition() {
            if clock.now >= deadline { return false }
            do { try await clock.sleep(for: interval) } catch { return condition() }
        }
        return true
    }
}
