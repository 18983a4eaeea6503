import ChainbotCore
import ChainbotYAML

/// Composed YAML documents as JSON values, compared with the suite's `in.json` as its README asks.
extension JSONValue {
    /// Whether `self` (ours) and `other` (the suite's, parsed) are the same value: ints compare exactly,
    /// floats approximately, objects without regard to member order, and a boolean never equals a number.
    ///
    /// Our float may match the suite's integer of the same value: the suite's JSON spells YAML's `450.00`
    /// as `450`. Our integer never matches the suite's float.
    func matches(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .number): return other.double.map { Self.approximatelyEqual(a, $0) } ?? false
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        case (.object(let a), .object(let b)):
            // Like a mapping loaded into a dictionary: the last of a repeated key counts.
            let ours = Dictionary(a, uniquingKeysWith: { $1 })
            let theirs = Dictionary(b, uniquingKeysWith: { $1 })
            return ours.count == theirs.count
                && ours.allSatisfy { key, value in theirs[key].map(value.matches) ?? false }
        default: return false
        }
    }

    private static func approximatelyEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }

    /// The JSON form of a composed node, or nil when it has none (a sequence or mapping as a key).
    ///
    /// Mapping keys that are not strings use their JSON spelling (`null`, `true`, `1`), as the suite's
    /// README compares them.
    init?(_ node: Node) {
        switch node.content {
        case .scalar(let scalar):
            self.init(scalar.value)
        case .sequence(let items):
            var values: [JSONValue] = []
            for item in items {
                guard let value = JSONValue(item) else { return nil }
                values.append(value)
            }
            self = .array(values)
        case .mapping(let pairs):
            var members: [(String, JSONValue)] = []
            for pair in pairs {
                guard let key = pair.key.scalar.map({ JSONValue.keySpelling($0.value) }),
                    let value = JSONValue(pair.value)
                else { return nil }
                members.append((key, value))
            }
            self = .object(members)
        }
    }

    init(_ value: ScalarValue) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .float(let float): self = .double(float)
        case .string(let string): self = .string(string)
        }
    }

    private static func keySpelling(_ value: ScalarValue) -> String {
        switch value {
        case .string(let string): string
        default: JSONValue(value).serialized()
        }
    }
}
