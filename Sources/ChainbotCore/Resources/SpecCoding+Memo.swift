import Synchronization

extension SpecCoding {
    /// Values decoded before, by their JSON text: each pass reads every last-applied spec and every
    /// status back from the state file, and those texts rarely change, so a dictionary lookup stands in
    /// for a JSON decode (JSON was about a third of an idle agent pass's CPU, BENCHMARKS.md). Decoding is
    /// a pure function of the text, so a hit is what decoding would give. Bounded: emptied when full.
    public final class DecodeMemo<Value: Decodable & Sendable>: Sendable {
        private let values = Mutex<[String: Value]>([:])
        private let limit: Int

        public init(limit: Int = 4096) {
            self.limit = limit
        }

        /// `SpecCoding.decode(Value.self, from: json)`, remembered; a text that does not decode is not, nor
        /// one over `largest` bytes (a big ConfigFile's content is not kept twice).
        public func decode(_ json: String) -> Value? {
            guard json.utf8.count <= Self.largest else { return SpecCoding.decode(Value.self, from: json) }
            if let known = values.withLock({ $0[json] }) { return known }
            guard let value = SpecCoding.decode(Value.self, from: json) else { return nil }
            values.withLock { values in
                if values.count >= limit { values.removeAll(keepingCapacity: true) }
                values[json] = value
            }
            return value
        }

        /// The longest text remembered, in bytes.
        public static var largest: Int { 64 * 1024 }

        /// How many texts it holds now.
        public var count: Int { values.withLock { $0.count } }
    }

    /// Texts encoded before, by their value: a status is encoded each pass only to be compared with the
    /// stored one. Hashing the value costs a fraction of encoding it. Bounded: emptied when full.
    public final class EncodeMemo<Value: Encodable & Hashable & Sendable>: Sendable {
        private let texts = Mutex<[Value: String]>([:])
        private let limit: Int

        public init(limit: Int = 4096) {
            self.limit = limit
        }

        /// `SpecCoding.encode(value)`, remembered.
        public func encode(_ value: Value) -> String {
            if let known = texts.withLock({ $0[value] }) { return known }
            let text = SpecCoding.encode(value)
            texts.withLock { texts in
                if texts.count >= limit { texts.removeAll(keepingCapacity: true) }
                texts[value] = text
            }
            return text
        }

        public var count: Int { texts.withLock { $0.count } }
    }

    /// The process's memos of last-applied specs and of status conditions.
    public static let appliedSpecs = DecodeMemo<ResourceSpec>()
    public static let storedConditions = DecodeMemo<[Condition]>()
    public static let conditionTexts = EncodeMemo<[Condition]>()
}
