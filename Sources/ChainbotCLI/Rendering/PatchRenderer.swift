import ChainbotCore
import ChainbotEngine

/// `chainbot diff -o patch`: the plan as one unified diff that `patch`, `delta` or `git apply --stat`
/// read. Each resource that would change is a directory `KIND/NAME`; each text facet (a unit file, a
/// config file's content, a drop-in, a Watchtower entry) is a file in it named after the facet, and every
/// other difference (`mode`, `enabled`, `state`, a secret's digest) is a line in its `fields` file:
///
///     --- a/ConfigFile/chainbot-env/content
///     +++ b/ConfigFile/chainbot-env/content
///     @@ -1,2 +1,2 @@
///
/// `a/` is the host as observed, `b/` as the manifests want it. The same tree is what
/// `CHAINBOT_EXTERNAL_DIFF` compares (`ExternalDiff`).
struct PatchRenderer {
    /// One file of the tree: its path under `a/` and `b/`, and both texts (nil: absent on that side).
    struct File: Sendable, Hashable {
        var path: String
        var observed: String?
        var desired: String?
    }

    /// The files of every resource that would change, in plan order.
    static func files(_ plan: Plan) -> [File] {
        var files: [File] = []
        for resource in plan.resources where resource.action != .unchanged && !resource.changes.isEmpty {
            let directory = "\(resource.id.kind.rawValue)/\(resource.id.name)"
            var observedFields = ""
            var desiredFields = ""
            for change in resource.changes {
                if let texts = change.texts {
                    files.append(
                        File(
                            path: "\(directory)/\(fileName(change.facet))",
                            observed: change.from == .absent ? nil : texts.old,
                            desired: change.to == .absent ? nil : texts.new))
                } else {
                    observedFields += "\(change.facet): \(change.from)\n"
                    desiredFields += "\(change.facet): \(change.to)\n"
                }
            }
            if !observedFields.isEmpty {
                files.append(File(path: "\(directory)/fields", observed: observedFields, desired: desiredFields))
            }
        }
        return files
    }

    /// The whole patch.
    static func patch(_ plan: Plan) -> String {
        files(plan).map { file in
            let old = file.observed.map { _ in "a/\(file.path)" } ?? "/dev/null"
            let new = file.desired.map { _ in "b/\(file.path)" } ?? "/dev/null"
            let lines = UnifiedDiff.lines(from: file.observed ?? "", to: file.desired ?? "")
            return "--- \(old)\n+++ \(new)\n" + lines.map { $0 + "\n" }.joined()
        }.joined()
    }

    /// A facet name as one path component: `drop-in limits.conf` → `drop-in-limits.conf`, `unit file` →
    /// `unit-file`; nothing that climbs (`/`, a leading dot).
    static func fileName(_ facet: String) -> String {
        let name = String(facet.map { $0 == " " || $0 == "/" ? "-" : $0 })
        return name.hasPrefix(".") ? "_" + name : name
    }
}

extension FieldChange {
    /// Both sides as text when the change is one of a file's text (either side may be absent, as empty
    /// text); nil for a word or a secret's digest. The text diff and the patch show exactly these.
    var texts: (old: String, new: String)? {
        switch (from, to) {
        case (.text(let a), .text(let b)): (a, b)
        case (.absent, .text(let b)): ("", b)
        case (.text(let a), .absent): (a, "")
        default: nil
        }
    }
}
