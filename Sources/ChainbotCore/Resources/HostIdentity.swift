/// Who a host of a fleet is: its name and its labels (DESIGN.md §9), what `metadata.hostSelector` is
/// matched against.
public struct HostIdentity: Sendable, Hashable, Codable {
    /// The host's name: the kernel's host name unless `--host` or the configuration's `host` says otherwise.
    public var name: String
    /// Labels from `--label KEY=VALUE` and the configuration's `labels:` mapping.
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    /// `name` and the labels sorted by key, `pi-kitchen-1 (room=kitchen, role=sensor)`.
    public var description: String {
        labels.isEmpty ? name : name + " (" + labelText + ")"
    }

    /// The labels as `key=value` sorted by key, joined with ", ".
    public var labelText: String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}

extension HostSelector {
    /// True when every given part matches `host`: the hostname glob and each label; an empty selector
    /// matches every host.
    public func matches(_ host: HostIdentity) -> Bool {
        if let hostname, !HostGlob.matches(hostname, host.name) { return false }
        return labels.allSatisfy { host.labels[$0.key] == $0.value }
    }
}

extension Resource {
    /// True when the resource is meant for `host` (no selector means every host).
    public func isSelected(for host: HostIdentity) -> Bool {
        metadata.hostSelector?.matches(host) ?? true
    }
}

/// Shell-style globs over host names: `*` (any run), `?` (one character), `[abc]`, `[a-z]`, `[!a-z]`
/// (or `[^a-z]`), and `\` quoting the next character. Matching is on Unicode characters and is case
/// sensitive, like `fnmatch(3)` without flags.
public enum HostGlob {
    /// Why `pattern` is not a glob, or nil when it is one.
    public static func problem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "must not be empty" }
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            switch characters[index] {
            case "\\":
                if index + 1 >= characters.count { return "ends with a lone '\\'" }
                index += 2
            case "[":
                switch parseClass(characters, from: index) {
                case .failure(let problem): return problem.text
                case .success(let parsed): index = parsed.end
                }
            default:
                index += 1
            }
        }
        return nil
    }

    /// True when `text` matches all of `pattern`; a malformed pattern matches nothing.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        guard problem(pattern) == nil else { return false }
        return match(Array(pattern), 0, Array(text), 0)
    }

    struct Problem: Error { let text: String }

    /// A bracket expression: its ranges, whether it is negated, and the index just past its `]`.
    struct CharacterClass {
        var ranges: [ClosedRange<Character>]
        var negated: Bool
        var end: Int

        func contains(_ character: Character) -> Bool {
            ranges.contains { $0.contains(character) } != negated
        }
    }

    static func parseClass(_ pattern: [Character], from start: Int) -> Result<CharacterClass, Problem> {
        var index = start + 1
        var negated = false
        if index < pattern.count, pattern[index] == "!" || pattern[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while index < pattern.count {
            var character = pattern[index]
            // A ']' first in the brackets is a member, as in fnmatch.
            if character == "]" && !first {
                return .success(CharacterClass(ranges: ranges, negated: negated, end: index + 1))
            }
            first = false
            if character == "[" { return .failure(Problem(text: "has a '[' inside brackets")) }
            if character == "\\" {
                guard index + 1 < pattern.count else { return .failure(Problem(text: "ends with a lone '\\'")) }
                index += 1
                character = pattern[index]
            }
            if index + 2 < pattern.count, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                let upper = pattern[index + 2]
                guard character <= upper else {
                    return .failure(Problem(text: "has the reversed range '\(character)-\(upper)'"))
                }
                ranges.append(character...upper)
                index += 3
            } else {
                ranges.append(character...character)
                index += 1
            }
        }
        return .failure(Problem(text: "has an unclosed '['"))
    }

    /// Matches iteratively over `*` with one backtrack point, so no pattern can take exponential time.
    private static func match(_ pattern: [Character], _ p: Int, _ text: [Character], _ t: Int) -> Bool {
        var p = p
        var t = t
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    star = (p + 1, t)
                    p += 1
                    continue
                case "?":
                    p += 1
                    t += 1
                    continue
                case "[":
                    if case .success(let parsed) = parseClass(pattern, from: p), parsed.contains(text[t]) {
                        p = parsed.end
                        t += 1
                        continue
                    }
                case "\\":
                    if p + 1 < pattern.count, pattern[p + 1] == text[t] {
                        p += 2
                        t += 1
                        continue
                    }
                case let literal where literal == text[t]:
                    p += 1
                    t += 1
                    continue
                default:
                    break
                }
            }
            guard let resume = star else { return false }
            star = (resume.pattern, resume.text + 1)
            p = resume.pattern
            t = resume.text + 1
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
