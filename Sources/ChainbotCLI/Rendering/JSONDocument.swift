import ChainbotCore

/// What every `-o json` document shares (docs/json-output.md, docs/schemas/): `schemaVersion` as its first
/// member, and one spelling of a resource.
enum JSONDocument {
    /// The version of the documents' shapes: raised when a shape changes incompatibly (a member removed,
    /// renamed or retyped); new members do not raise it.
    static let schemaVersion = 1

    /// `{"schemaVersion": 1, …members}`.
    static func document(_ members: [(String, JSONValue)], version: Int = schemaVersion) -> JSONValue {
        .object([("schemaVersion", .int(version))] + members)
    }

    /// `"resource": "Kind/name", "kind": "Kind", "name": "name"`: how every object about one resource names it.
    static func resource(kind: String, name: String) -> [(String, JSONValue)] {
        [("resource", .string("\(kind)/\(name)")), ("kind", .string(kind)), ("name", .string(name))]
    }

    /// The members naming `id` (see `resource(kind:name:)`).
    static func resource(_ id: ResourceID) -> [(String, JSONValue)] {
        resource(kind: id.kind.rawValue, name: id.name)
    }
}
