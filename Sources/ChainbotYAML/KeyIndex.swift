/// Where each key of one mapping was first written, by the key's resolved scalar value.
///
/// Most mappings have a handful of keys, so it scans a short array and only builds a dictionary once a
/// mapping grows past `linearLimit` keys.
struct KeyIndex {
    private static let linearLimit = 12

    private var few: [(key: ScalarValue, mark: Mark)] = []
    private var many: [ScalarValue: Mark]?

    /// Records `key` at `mark`, unless it is already there; returns where it was first written, if it was.
    mutating func insert(_ key: ScalarValue, at mark: Mark) -> Mark? {
        if many != nil {
            if let first = many?[key] { return first }
            many?[key] = mark
            return nil
        }
        if let first = few.first(where: { $0.key == key }) { return first.mark }
        few.append((key, mark))
        if few.count > Self.linearLimit {
            many = Dictionary(few.map { ($0.key, $0.mark) }, uniquingKeysWith: { first, _ in first })
            few = []
        }
        return nil
    }
}
