extension StateStore {
    /// The last-applied record of `id`, or nil when chainbot has not applied it.
    public func applied(_ id: ResourceID) throws(StoreError) -> AppliedResource? {
        try applied(kind: id.kind.rawValue, name: id.name)
    }

    /// Forgets `id`'s last-applied record (after it was pruned); returns false when there was none.
    @discardableResult
    public func deleteApplied(_ id: ResourceID) throws(StoreError) -> Bool {
        try deleteApplied(kind: id.kind.rawValue, name: id.name)
    }

    /// Forgets the status of `id`, no longer managed.
    public func deleteStatus(_ id: ResourceID) throws(StoreError) {
        try deleteStatus(kind: id.kind.rawValue, name: id.name)
    }

    /// Ends the suspension of `id`; false when it was not suspended.
    @discardableResult
    public func resume(_ id: ResourceID) throws(StoreError) -> Bool {
        try resume(kind: id.kind.rawValue, name: id.name)
    }

    /// Sets (or with nil removes) the fact `key`.
    public func setMeta(_ key: MetaKey, _ value: String?) throws(StoreError) {
        try setMeta(key.rawValue, value)
    }

    /// The fact `key`, or nil.
    public func meta(_ key: MetaKey) throws(StoreError) -> String? {
        try meta(key.rawValue)
    }
}
