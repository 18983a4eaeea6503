import ChainbotCore
import ChainbotManifest

/// Renders schema documentation as text for `explain` and `help`.
enum SchemaDocs {
    static func kindList() -> String {
        let width = Kind.allCases.map(\.rawValue.count).max() ?? 0
        var out = "Kinds of apiVersion \(Kind.apiVersion) (chainbot explain KIND for the fields):\n"
        for kind in Kind.allCases {
            let pad = String(repeating: " ", count: width - kind.rawValue.count + 2)
            out += "  \(kind.rawValue)\(pad)\(firstSentence(ManifestSchema.summary(of: kind)))\n"
        }
        out += "Every document: apiVersion, kind, metadata (chainbot explain metadata), spec.\n"
        return out
    }

    static func object(_ schema: ObjectSchema, title: String, intro: String) -> String {
        var out = "\(title)\n\n" + wrap(intro, indent: "") + "\n\nfields:\n"
        out += fieldTable(schema)
        out += constraints(schema)
        return out
    }

    static func field(_ field: FieldSchema, path: String, intro: String, nested: ObjectSchema) -> String {
        var out = "\(path): \(field.type.summary)\n"
        if field.required { out += "required\n" }
        if let value = field.defaultValue { out += "default: \(value)\n" }
        out += "\n" + wrap(intro, indent: "") + "\n"
        if case .object = ExplainCommand.innermost(field.type) {
            out += "\nfields:\n" + fieldTable(nested) + constraints(nested)
        }
        return out
    }

    private static func fieldTable(_ schema: ObjectSchema) -> String {
        var out = ""
        for field in schema.fields {
            var head = "  \(field.name)"
            if field.required { head += " (required)" }
            out += head + ": " + field.type.summary + "\n"
            var doc = field.doc
            if let value = field.defaultValue { doc += " Default: \(value)." }
            out += wrap(doc, indent: "      ") + "\n"
        }
        return out
    }

    private static func constraints(_ schema: ObjectSchema) -> String {
        var lines: [String] = []
        for group in schema.requireOne {
            lines.append("one of " + group.joined(separator: ", ") + " is required")
        }
        let pairs = schema.exclusive
        if !pairs.isEmpty, pairs.allSatisfy({ $0.count == 2 && $0[0] == pairs[0][0] }) {
            lines.append("'\(pairs[0][0])' excludes " + pairs.map { $0[1] }.joined(separator: ", "))
        } else {
            for group in pairs { lines.append("at most one of " + group.joined(separator: ", ")) }
        }
        return lines.isEmpty ? "" : "\nrules:\n" + lines.map { "  \($0)\n" }.joined()
    }

    private static func firstSentence(_ text: String) -> String {
        guard let end = text.firstIndex(of: ":") ?? text.firstIndex(of: ";") ?? text.firstIndex(of: ".") else {
            return text
        }
        return String(text[..<end]) + "."
    }

    /// Wraps `text` at 100 columns with `indent` on every line.
    static func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 100, line.count > indent.count {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
