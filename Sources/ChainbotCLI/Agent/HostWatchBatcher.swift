import ChainbotCore

/// The debounce between host events and the work queue, as a value driven by the instants it is given
/// (tests pass a manual clock's): the first event opens a short window, the keys routed to during it are
/// queued once at its end. A storm (more than `stormRate` routed events in a second: a unit flapping, a
/// script rewriting a file in a loop) widens the window to `stormWindow` until a window passes calmly, so
/// it costs a bounded number of passes, and is reported once when it starts and once when it ends.
///
/// Events for keys that a pass is syncing are held until it finishes. Those of keys the pass did not
/// change are queued through a window. Those of keys it changed are most likely its own writes, but a hand
/// change in the same moment looks the same: the pass's end returns them to be looked at once more, at
/// once and without a "host changed" line. That second look finds nothing to do after the pass's own
/// writes, and heals a hand change that raced with them. Those of keys the pass failed on are dropped:
/// their retry comes after a backoff.
struct HostWatchBatcher<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    var window: Duration = .milliseconds(100)
    var stormWindow: Duration = .seconds(2)
    /// Routed events per second above which a storm starts.
    var stormRate = 100

    /// Keys to queue at `due`.
    private(set) var pending: Set<ResourceID> = []
    /// When the open window ends; nil when none is open.
    private(set) var due: Instant?
    private(set) var storming = false
    /// Keys of the pass in flight, and those of them events came for meanwhile.
    private var inFlight: Set<ResourceID> = []
    private var held: Set<ResourceID> = []
    /// Routed events in the second that started at `secondStart`, and in the open window.
    private var secondStart: Instant?
    private var inSecond = 0
    private var inWindow = 0
    /// During a storm: events and flushes since it started, for the report at its end.
    private var stormEvents = 0
    private var stormFlushes = 0

    init() {}

    /// Records one event routed to `ids` at `now`; a line to log when it starts a storm.
    mutating func record(_ ids: Set<ResourceID>, at now: Instant) -> String? {
        guard !ids.isEmpty else { return nil }
        held.formUnion(ids.intersection(inFlight))
        let free = ids.subtracting(inFlight)
        if let start = secondStart, start.duration(to: now) < .seconds(1) {
            inSecond += 1
        } else {
            secondStart = now
            inSecond = 1
        }
        inWindow += 1
        if storming { stormEvents += 1 }
        var note: String?
        if !storming, inSecond > stormRate {
            storming = true
            stormEvents = inSecond
            stormFlushes = 0
            note =
                "host change storm: more than \(stormRate) events a second (the latest for \(ids.sorted().map(\.description).joined(separator: ", "))); "
                + "queuing what changed at most every \(DurationText.format(stormWindow)) until it calms"
            if due != nil { due = now.advanced(by: stormWindow) }
        }
        pending.formUnion(free)
        if due == nil, !free.isEmpty { due = now.advanced(by: storming ? stormWindow : window) }
        return note
    }

    /// At or after `due`: the keys to queue now (sorted), and a line to log when a storm ended.
    mutating func flush(at now: Instant) -> (ids: [ResourceID], note: String?) {
        guard let open = due, now >= open else { return ([], nil) }
        let ids = pending.sorted()
        pending = []
        due = nil
        var note: String?
        if storming {
            stormFlushes += ids.isEmpty ? 0 : 1
            // Calm: fewer events in this (storm-wide) window than a second of storm holds.
            if inWindow <= stormRate {
                storming = false
                note = "host change storm over: \(stormEvents) events queued as \(stormFlushes) syncs"
            } else {
                // Keep a window open while it lasts, so its end is seen even if no key is pending.
                due = now.advanced(by: stormWindow)
            }
        }
        inWindow = 0
        return (ids, note)
    }

    /// A pass over `batch` starts: events for its keys wait for it to finish.
    mutating func passStarted(_ batch: Set<ResourceID>) {
        inFlight = batch
        held = []
    }

    /// The pass finished having changed `changed` and failed on `failed`: events held for its other keys
    /// are queued through a window (`opened`: one had to be opened for them); the changed keys that events
    /// came for meanwhile are `recheck`, sorted, for the caller to queue at once. Those of failed keys are
    /// dropped: a failed key comes back at its retry, after its backoff, and looks again then (queuing it
    /// at once for the events its own failed attempt caused would retry it without a pause).
    mutating func passFinished(changed: Set<ResourceID>, failed: Set<ResourceID> = [], at now: Instant)
        -> (opened: Bool, recheck: [ResourceID])
    {
        let recheck = held.intersection(changed.subtracting(failed)).sorted()
        let requeue = held.subtracting(changed).subtracting(failed)
        inFlight = []
        held = []
        guard !requeue.isEmpty else { return (false, recheck) }
        pending.formUnion(requeue)
        guard due == nil else { return (false, recheck) }
        due = now.advanced(by: storming ? stormWindow : window)
        return (true, recheck)
    }
}
