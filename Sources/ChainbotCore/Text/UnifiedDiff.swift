/// A unified diff of two texts, line by line, as `diff -u` prints it (without the file header).
public enum UnifiedDiff {
    /// One line of an edit script.
    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Hunks with `context` lines around each change; empty when the texts are equal.
    public static func lines(from old: String, to new: String, context: Int = 3) -> [String] {
        let edits = script(split(old), split(new))
        guard edits.contains(where: { if case .same = $0 { false } else { true } }) else { return [] }
        var out: [String] = []
        var index = 0
        var oldLine = 1
        var newLine = 1
        var positions: [(old: Int, new: Int)] = []
        for edit in edits {
            positions.append((oldLine, newLine))
            switch edit {
            case .same: oldLine += 1; newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        while index < edits.count {
            guard let change = edits[index...].firstIndex(where: { if case .same = $0 { false } else { true } }) else {
                break
            }
            let start = max(index, change - context)
            var end = change
            var lastChange = change
            while end < edits.count {
                if case .same = edits[end] {
                    if end - lastChange > 2 * context { break }
                } else {
                    lastChange = end
                }
                end += 1
            }
            end = min(edits.count, lastChange + context + 1)
            let hunk = edits[start..<end]
            let oldCount = hunk.filter { if case .added = $0 { false } else { true } }.count
            let newCount = hunk.filter { if case .removed = $0 { false } else { true } }.count
            let oldStart = oldCount == 0 ? positions[start].old - 1 : positions[start].old
            let newStart = newCount == 0 ? positions[start].new - 1 : positions[start].new
            out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for edit in hunk {
                switch edit {
                case .same(let line): out.append(" " + line)
                case .removed(let line): out.append("-" + line)
                case .added(let line): out.append("+" + line)
                }
            }
            index = end
        }
        return out
    }

    static func split(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// An edit script: common prefix and suffix kept, the middle aligned by longest common subsequence
    /// (or replaced whole when it is too large to align cheaply).
    static func script(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        var middle: [Edit] = []
        if midA.count * midB.count > 4_000_000 {
            middle = midA.map(Edit.removed) + midB.map(Edit.added)
        } else {
            middle = align(midA, midB)
        }
        return a[..<prefix].map(Edit.same) + middle + a[(a.count - suffix)...].map(Edit.same)
    }

    private static func align(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count
        let m = b.count
        if n == 0 { return b.map(Edit.added) }
        if m == 0 { return a.map(Edit.removed) }
        // lengths[i][j]: LCS length of a[i...] and b[j...], in one flat array.
        var lengths = [Int](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * (m + 1) + j] =
                    a[i] == b[j]
                    ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
            }
        }
        var out: [Edit] = []
        var i = 0
        var j = 0
        while i < n, j < m {
            if a[i] == b[j] {
                out.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[(i + 1) * (m + 1) + j] >= lengths[i * (m + 1) + j + 1] {
                out.append(.removed(a[i]))
                i += 1
            } else {
                out.append(.added(b[j]))
                j += 1
            }
        }
        out += a[i...].map(Edit.removed) + b[j...].map(Edit.added)
        return out
    }
}
