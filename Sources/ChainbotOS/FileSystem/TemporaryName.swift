/// Hidden names for temporary files and links beside a target: `.NAME.chainbot-` and six random
/// letters or digits, so a crash leaves a recognizable leftover and two writers never collide.
enum TemporaryName {
    /// How many names to try before giving up when each one is already taken.
    static let attempts = 100

    /// A fresh temporary name for `name`.
    static func make(for name: String) -> String {
        // Keep within NAME_MAX (255 bytes) for long names.
        let base = name.utf8.count <= 200 ? name : "long-name"
        return ".\(base).chainbot-\(randomSuffix())"
    }

    /// True when `candidate` has the shape `make(for: name)` returns: `.NAME.chainbot-` and six letters or
    /// digits. A long name's temporaries (`.long-name.chainbot-…`) cannot be told apart and never match.
    static func isTemporary(_ candidate: String, for name: String) -> Bool {
        guard name.utf8.count <= 200 else { return false }
        let prefix = ".\(name).chainbot-"
        guard candidate.hasPrefix(prefix) else { return false }
        let suffix = candidate.utf8.dropFirst(prefix.utf8.count)
        return suffix.count == 6 && suffix.allSatisfy { alphabet.contains($0) }
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        var suffix: [UInt8] = []
        for _ in 0..<6 { suffix.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return String(decoding: suffix, as: UTF8.self)
    }
}
