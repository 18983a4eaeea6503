import Synchronization

extension SpecCoding {
    /// What a pure function gave for each key, so it is not computed again: each pass reads every
    /// last-applied spec and every status back from the state file and compares each status with the
    /// stored one, and those rarely change, so a dictionary lookup stands in for JSON decoding or encoding
    /// (JSON was about a third of an idle agent pass's CPU, BENCHMARKS.md). Bounded: emptied when full.
    public final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
        private let values = Mutex<[Key: Value]>([:])
        private let limit: Int

        public init(limit: Int = 4096) {
            self.limit = limit
        }

        /// The value remembered for `key`, or else what `make` gives, remembered unless it is nil.
        func value(for key: Key, _ make: () -> Value?) -> Value? {
            if let known = values.withLock({ $0[key] }) { return known }
            guard let value = make() else { return nil }
            values.withLock { values in
                if values.count >= limit { values.removeAll(keepingCapacity: true) }
                values[key] = value
            }
            return value
        }

        /// How many keys it holds now.
        public var count: Int { values.withLock { $0.count } }
    }

    /// Values decoded before, by their JSON text.
    public typealias DecodeMemo<Value: Decodable & Sendable> = Memo<String, Value>
    /// Texts encoded before, by their value (hashing a value costs a fraction of encoding it).
    public typealias EncodeMemo<Value: Encodable & Hashable & Sendable> = Memo<Value, String>

    /// The process's memos of last-applied specs and of status conditions.
    public static let appliedSpecs = DecodeMemo<ResourceSpec>()
    public static let storedConditions = DecodeMemo<[Condition]>()
    public static let conditionTexts = EncodeMemo<[Condition]>()
}

extension SpecCoding.Memo where Key == String, Value: Decodable {
    /// The longest text remembered, in bytes.
    public static var largest: Int { 64 * 1024 }

    /// `SpecCoding.decode(Value.self, from: json)`, remembered; a text that does not decode is not, nor
    /// one over `largest` bytes (a big ConfigFile's content is not kept twice).
    public func decode(_ json: String) -> Value? {
        guard json.utf8.count <= Self.largest else { return SpecCoding.decode(Value.self, from: json) }
        return value(for: json) { SpecCoding.decode(Value.self, from: json) }
    }
}

extension SpecCoding.Memo where Key: Encodable, Value == String {
    /// `SpecCoding.encode(value)`, remembered.
    public func encode(_ key: Key) -> String {
        // Encoding always gives a text ("null" when it fails, as `SpecCoding.encode` says).
        value(for: key) { SpecCoding.encode(key) } ?? "null"
    }
}
