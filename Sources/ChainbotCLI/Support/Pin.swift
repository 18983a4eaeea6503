import ChainbotCore
import ChainbotEngine
import ChainbotStore

/// A pin: the host is held at a recorded revision's desired set (`chainbot rollback`, `chainbot pin`)
/// while the manifests (or the git source the agent follows) move on. The agent applies the pinned set
/// until `chainbot unpin`; `apply` refuses to apply the manifests over it without `--force`.
struct Pin {
    var revision: Int64
    /// The generation the pinned revision applied.
    var generation: String
    var reason: String
    var since: Timestamp
    /// The desired resources recorded with the revision.
    var resources: [Resource]

    static let revisionKey = MetaKey.pinRevision
    static let reasonKey = MetaKey.pinReason
    static let sinceKey = MetaKey.pinSince

    /// `pinned to revision 12 (generation 3f9a71c2e8d5) since 2026-12-01T10:00:00Z: reason`.
    var description: String {
        "pinned to revision \(revision) (generation \(String(generation.prefix(19)))) since \(since.iso8601)"
            + (reason.isEmpty ? "" : ": \(reason)")
    }

    var json: JSONValue {
        .object([
            ("revision", .int(Int(revision))), ("generation", .string(generation)), ("reason", .string(reason)),
            ("since", .string(since.iso8601)),
        ])
    }

    /// The pin recorded in `store`, or nil; a pin whose revision cannot be read is an error, not "no pin".
    static func current(in store: any StateStore) throws -> Pin? {
        guard let text = try store.meta(revisionKey) else { return nil }
        guard let id = Int64(text) else { throw PinError("the state file's pin '\(text)' is not a revision number") }
        let (revision, resources) = try recorded(id, in: store)
        let since = try store.meta(sinceKey).flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:))
        return Pin(
            revision: id, generation: revision.generation, reason: try store.meta(reasonKey) ?? "",
            since: since ?? Timestamp(millisecondsSinceEpoch: 0), resources: resources)
    }

    /// The revision `id` and the desired set recorded with it.
    static func recorded(_ id: Int64, in store: any StateStore) throws -> (Revision, [Resource]) {
        guard let detail = try store.revision(id),
            let summary = detail.revision.summaryJSON.flatMap({ SpecCoding.decode(RevisionSummary.self, from: $0) })
        else { throw PinError("no revision \(id) with recorded specs") }
        return (detail.revision, summary.resources.map(\.resource))
    }

    static func set(_ id: Int64, reason: String, in store: any StateStore) throws {
        try store.setMeta(revisionKey, String(id))
        try store.setMeta(reasonKey, reason)
        try store.setMeta(sinceKey, String(Timestamp.now().millisecondsSinceEpoch))
    }

    /// Removes the pin; false when there was none.
    static func clear(in store: any StateStore) throws -> Bool {
        guard try store.meta(revisionKey) != nil else { return false }
        for key in [revisionKey, reasonKey, sinceKey] { try store.setMeta(key, nil) }
        return true
    }
}

struct PinError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
