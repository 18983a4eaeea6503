import Glibc

/// Builds a child's environment: chainbot's own `environ` with the invocation's variables on top.
enum ChildEnvironment {
    /// Returns `KEY=value` entries: every inherited variable not named in `overrides`, then `overrides`
    /// sorted by name (so the child sees one value per name and runs are reproducible).
    static func merged(_ overrides: [String: String], inherited: [String] = current()) -> [String] {
        var entries = inherited.filter { entry in
            let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return overrides[String(name)] == nil
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            entries.append("\(name)=\(value)")
        }
        return entries
    }

    /// Returns this process's environment entries as `KEY=value` strings.
    static func current() -> [String] {
        var entries: [String] = []
        guard var cursor = UnsafePointer(environ) else { return entries }
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    /// Returns a reason when `name` cannot be an environment variable name (empty, or holds `=`).
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "environment variable with an empty name" }
        if name.contains("=") { return "environment variable name contains '=': \(name.debugDescription)" }
        return nil
    }
}
