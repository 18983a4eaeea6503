public import ChainbotCore

/// Reading, setting and clearing the pin in the state file's meta keys.
extension Pin {
    /// The pin recorded in `store`, or nil; a pin whose revision cannot be read is an error, not "no pin".
    public static func current(in store: any StateStore) throws -> Pin? {
        guard let text = try store.meta(revisionKey) else { return nil }
        guard let id = Int64(text) else { throw PinError.notARevisionNumber(text) }
        let (revision, resources) = try recorded(id, in: store)
        let since = try store.meta(sinceKey).flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:))
        return Pin(
            revision: id, generation: revision.generation, reason: try store.meta(reasonKey) ?? "",
            since: since ?? Timestamp(millisecondsSinceEpoch: 0), resources: resources)
    }

    /// The revision `id` and the desired set recorded with it; `PinError.noRecordedSpecs` when there is none.
    public static func recorded(_ id: Int64, in store: any StateStore) throws -> (Revision, [Resource]) {
        guard let detail = try store.revision(id),
            let summary = detail.revision.summaryJSON.flatMap({ SpecCoding.decode(RevisionSummary.self, from: $0) })
        else { throw PinError.noRecordedSpecs(id) }
        return (detail.revision, summary.resources.map(\.resource))
    }

    /// Pins revision `id` as of `now`, in one transaction (the revision is not checked: see `recorded`).
    public static func set(_ id: Int64, reason: String, at now: Timestamp, in store: any StateStore)
        throws(StoreError)
    {
        try store.setMeta([
            (revisionKey, String(id)), (reasonKey, reason), (sinceKey, String(now.millisecondsSinceEpoch)),
        ])
    }

    /// Removes the pin in one transaction; false when there was none.
    public static func clear(in store: any StateStore) throws(StoreError) -> Bool {
        guard try store.meta(revisionKey) != nil else { return false }
        try store.setMeta([(revisionKey, nil), (reasonKey, nil), (sinceKey, nil)])
        return true
    }
}
