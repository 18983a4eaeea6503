import FoundationEssentials

/// Canonical JSON for specs: what the store keeps as the last-applied state and revisions keep for
/// rollback. Keys are sorted so equal specs give equal text and equal hashes.
public enum SpecCoding {
    /// A desired resource as recorded for rollback: identity, the metadata that steers applying, spec.
    public struct Record: Sendable, Hashable, Codable {
        public var kind: Kind
        public var name: String
        public var drift: DriftPolicy
        public var dependsOn: [ResourceID]
        public var spec: ResourceSpec

        public init(_ resource: Resource) {
            kind = resource.id.kind
            name = resource.metadata.name
            drift = resource.metadata.drift
            dependsOn = resource.metadata.dependsOn
            spec = resource.spec
        }

        /// The resource this record describes (locations are unknown: it did not come from a file).
        public var resource: Resource {
            let location = SourceLocation(file: "revision", line: 0, column: 0)
            return Resource(
                metadata: Metadata(name: name, dependsOn: dependsOn, drift: drift), spec: spec, location: location,
                nameLocation: location)
        }
    }

    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// `sha256:` and 12 hex digits of the text.
    public static func digest(_ text: String) -> String {
        "sha256:" + String(SHA256.hex(SHA256.hash(Array(text.utf8))).prefix(12))
    }
}
