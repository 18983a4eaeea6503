import ChainbotCore

/// Checks a JSON document against chainbot's JSON Schemas (draft 2020-12, docs/schemas/), for the keywords
/// those files use: `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
/// `pattern`, `$ref` (to `$defs` of the same or a sibling file, or to a whole sibling file), `oneOf` and
/// `anyOf`; `$schema`, `title`, `description` and `$defs` are annotations.
struct JSONSchemaValidator {
    /// The keywords `validate` understands; a schema with any other would be checked only in part.
    static let keywords: Set<String> = [
        "$schema", "title", "description", "$defs", "$ref", "type", "properties", "required",
        "additionalProperties", "items", "enum", "const", "pattern", "oneOf", "anyOf",
    ]

    /// The schema files by name (`status.schema.json`).
    let files: [String: JSONValue]

    /// Every problem of `value` against the schema file `file`, as `PATH: what` (PATH a JSON Pointer,
    /// `/resources/0/kind`); empty when it is valid.
    func problems(_ value: JSONValue, against file: String) -> [String] {
        guard let schema = files[file] else { return ["no schema file \(file)"] }
        return check(value, schema, file: file, path: "")
    }

    /// Keywords in the schema files that `problems` does not understand (a schema using one would be checked
    /// only in part), as `FILE PATH/KEYWORD`.
    func unknownKeywords() -> [String] {
        everySchema().flatMap { file, path, schema in
            (schema.object ?? []).map(\.0).filter { !Self.keywords.contains($0) }.map { "\(file) \(path)/\($0)" }
        }
    }

    /// The `$ref`s in the schema files that point at nothing, as `FILE PATH: REF`.
    func brokenReferences() -> [String] {
        everySchema().compactMap { file, path, schema in
            guard let reference = schema["$ref"]?.string, resolve(reference, from: file) == nil else { return nil }
            return "\(file) \(path): \(reference)"
        }
    }

    /// Every schema and subschema in the files, with its file and JSON Pointer.
    private func everySchema() -> [(file: String, path: String, schema: JSONValue)] {
        files.sorted { $0.key < $1.key }.flatMap { file, schema in
            Self.subschemas(of: schema, at: "").map { (file, $0.0, $0.1) }
        }
    }

    private static func subschemas(of schema: JSONValue, at path: String) -> [(String, JSONValue)] {
        guard let members = schema.object else { return [] }
        var found = [(path, schema)]
        for (key, value) in members {
            switch key {
            case "properties", "$defs":
                for (name, subschema) in value.object ?? [] {
                    found += subschemas(of: subschema, at: "\(path)/\(key)/\(name)")
                }
            case "items", "additionalProperties":
                found += subschemas(of: value, at: "\(path)/\(key)")
            case "oneOf", "anyOf":
                for (index, subschema) in (value.array ?? []).enumerated() {
                    found += subschemas(of: subschema, at: "\(path)/\(key)/\(index)")
                }
            default: break
            }
        }
        return found
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, file: String, path: String) -> [String] {
        if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): not allowed here"] }
        var problems: [String] = []
        if let reference = schema["$ref"]?.string {
            guard let (target, targetFile) = resolve(reference, from: file) else {
                return ["\(path): cannot resolve $ref \(reference) in \(file)"]
            }
            problems += check(value, target, file: targetFile, path: path)
        }
        if let types = schema["type"], !Self.types(types).contains(where: { Self.value(value, is: $0) }) {
            return problems + ["\(path): \(value.serialized()) is not of type \(types.serialized())"]
        }
        if let constant = schema["const"], !Self.equal(value, constant) {
            problems.append("\(path): \(value.serialized()) is not \(constant.serialized())")
        }
        if let choices = schema["enum"]?.array, !choices.contains(where: { Self.equal(value, $0) }) {
            problems.append("\(path): \(value.serialized()) is not one of \(JSONValue.array(choices).serialized())")
        }
        if let pattern = schema["pattern"]?.string, let text = value.string {
            problems += Self.match(text, pattern, path: path)
        }
        if let members = value.object { problems += checkObject(members, schema, file: file, path: path) }
        if let items = value.array, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                problems += check(item, itemSchema, file: file, path: "\(path)/\(index)")
            }
        }
        problems += checkAlternatives(value, schema, file: file, path: path)
        return problems
    }

    private func checkObject(_ members: [(String, JSONValue)], _ schema: JSONValue, file: String, path: String)
        -> [String]
    {
        var problems: [String] = []
        let properties = schema["properties"]?.object ?? []
        for name in schema["required"]?.array?.compactMap(\.string) ?? []
        where !members.contains(where: { $0.0 == name }) {
            problems.append("\(path): required member \"\(name)\" is missing")
        }
        for (name, member) in members {
            let memberPath = "\(path)/\(name)"
            if let propertySchema = properties.first(where: { $0.0 == name })?.1 {
                problems += check(member, propertySchema, file: file, path: memberPath)
            } else if let additional = schema["additionalProperties"] {
                if case .bool(false) = additional {
                    problems.append("\(memberPath): member \"\(name)\" is not in the schema")
                } else {
                    problems += check(member, additional, file: file, path: memberPath)
                }
            }
        }
        return problems
    }

    private func checkAlternatives(_ value: JSONValue, _ schema: JSONValue, file: String, path: String) -> [String] {
        var problems: [String] = []
        if let choices = schema["oneOf"]?.array {
            let results = choices.map { check(value, $0, file: file, path: path) }
            let matching = results.count(where: \.isEmpty)
            if matching != 1 {
                let why = results.enumerated().map { "oneOf[\($0.offset)]: " + $0.element.joined(separator: "; ") }
                problems.append(
                    "\(path): matches \(matching) of oneOf's \(choices.count) schemas, not 1 (\(why.joined(separator: " | ")))"
                )
            }
        }
        if let choices = schema["anyOf"]?.array {
            let results = choices.map { check(value, $0, file: file, path: path) }
            if !results.contains(where: \.isEmpty) {
                problems.append("\(path): matches none of anyOf: " + results.flatMap { $0 }.joined(separator: "; "))
            }
        }
        return problems
    }

    /// The schema `reference` points at, and the file it is in: `#/$defs/NAME`, `FILE#/$defs/NAME` or `FILE`.
    private func resolve(_ reference: String, from file: String) -> (JSONValue, String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let targetFile = parts[0].isEmpty ? file : parts[0]
        guard let document = files[targetFile] else { return nil }
        guard parts.count == 2, !parts[1].isEmpty else { return (document, targetFile) }
        guard parts[1].hasPrefix("/$defs/"), let target = document["$defs"]?[String(parts[1].dropFirst(7))] else {
            return nil
        }
        return (target, targetFile)
    }

    private static func types(_ types: JSONValue) -> [String] {
        types.string.map { [$0] } ?? types.array?.compactMap(\.string) ?? []
    }

    private static func value(_ value: JSONValue, is type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("string", .string), ("array", .array),
            ("object", .object):
            true
        case ("number", .int), ("number", .double), ("number", .number): true
        default: false
        }
    }

    /// JSON equality: objects compare as sets of members, so member order does not matter.
    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            x.count == y.count && x.allSatisfy { member in y.contains { $0.0 == member.0 && equal($0.1, member.1) } }
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        default: a == b
        }
    }

    private static func match(_ text: String, _ pattern: String, path: String) -> [String] {
        guard let regex = try? Regex(pattern) else {
            return ["\(path): the schema's pattern \(pattern) does not compile"]
        }
        return text.contains(regex) ? [] : ["\(path): \"\(text)\" does not match \(pattern)"]
    }
}
