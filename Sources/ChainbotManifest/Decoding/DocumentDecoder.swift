import ChainbotCore
import ChainbotYAML

/// What one document declared: its identity (when kind and name could be read), the decoded resource
/// when the document is valid, and where the fields that set-wide checks point at are written.
struct DecodedDocument: Sendable {
    var id: ResourceID?
    var nameLocation: SourceLocation?
    var resource: Resource?
    /// The document's `metadata.hostSelector` when its metadata could be read (nil: every host).
    var selector: HostSelector?
    /// The fleet inventory when the document is a valid `kind: Fleet`.
    var inventory: FleetInventory?
    /// True for a `kind: Fleet` document, valid or not: it declares no resource.
    var isInventory = false
    /// Locations of the fields in `SetValidator.locatedFields` (and list items under them) that are present.
    var locations: [String: SourceLocation] = [:]

    /// Where the field at `path` is written, if it is.
    func location(_ path: String) -> SourceLocation? { locations[path] }
}

/// Decodes one YAML document into a resource, reporting every problem in it.
struct DocumentDecoder {
    let context: DecodeContext

    func decode(_ root: Node) -> DecodedDocument {
        let errorsBefore = context.errorCount
        guard root.mapping != nil else {
            context.error(
                .notAMapping, "a manifest document must be a mapping",
                detail: "expected apiVersion, kind, metadata and spec, found \(root.kindDescription)", at: root)
            return DecodedDocument()
        }
        if root["kind"]?.scalar?.text == FleetInventory.kind {
            var inventory = decodeInventory(root)
            inventory.isInventory = true
            return inventory
        }
        let kind = readKind(root)
        let nameNode = root["metadata"]?["name"]
        let name = nameNode?.scalar?.text
        if let kind, let name { context.subject = "\(kind.rawValue) '\(name)'" }
        let document = ObjectReader(root, schema: ManifestSchema.document, path: "", context: context)
        checkAPIVersion(document)
        let metadata = document.object("metadata").flatMap(readMetadata)
        var decoded = DecodedDocument()
        decoded.selector = metadata?.hostSelector
        if let kind, let metadata, let nameNode, Formats.dnsLabel(metadata.name) == nil {
            decoded.id = ResourceID(kind, metadata.name)
            decoded.nameLocation = context.location(of: nameNode)
        }
        var spec: ResourceSpec?
        if let kind, let specNode = document.valueNode("spec"), specNode.scalar?.value != .null {
            let reader = ObjectReader(specNode, schema: ManifestSchema.spec(for: kind), path: "spec", context: context)
            if reader.isValid { spec = SpecDecoder(context: context).decode(reader, kind: kind, name: name ?? "") }
        }
        if let metadata, let spec, let nameLocation = decoded.nameLocation, context.errorCount == errorsBefore {
            decoded.resource = Resource(
                metadata: metadata, spec: spec, location: context.location(of: root.start), nameLocation: nameLocation)
            decoded.locations = locate(in: root)
        }
        return decoded
    }

    /// The locations set-wide checks may point at; kept instead of the node tree, which is large.
    private func locate(in root: Node) -> [String: SourceLocation] {
        var out: [String: SourceLocation] = [:]
        for (section, fields) in SetValidator.locatedFields {
            for pair in root[section]?.mapping ?? [] {
                guard let key = pair.key.scalar?.text, fields.contains(key) else { continue }
                let path = section + "." + key
                out[path] = context.location(of: pair.value)
                for (index, item) in (pair.value.sequence ?? []).enumerated() {
                    out["\(path)[\(index)]"] = context.location(of: item)
                }
            }
        }
        return out
    }

    private func readKind(_ root: Node) -> Kind? {
        guard let node = root["kind"], let text = node.scalar?.text, node.scalar?.value != .null else { return nil }
        if let kind = Kind(rawValue: text) { return kind }
        let notes = Suggestion.closest(to: text, in: Kind.allCases.map(\.rawValue)).map {
            [ManifestDiagnostic.Note("did you mean '\($0)'?")]
        }
        context.error(
            .unknownKind, "unknown kind '\(text)'",
            detail: "\(Kind.apiVersion) has " + Kind.allCases.map(\.rawValue).joined(separator: ", "), at: node,
            notes: notes ?? [])
        return nil
    }

    func checkAPIVersion(_ document: ObjectReader) {
        guard let version = document.string("apiVersion"), version != Kind.apiVersion,
            let node = document.valueNode("apiVersion")
        else { return }
        context.error(
            .unsupportedAPIVersion, "unsupported apiVersion '\(version)'", at: node,
            notes: [.init("this chainbot reads apiVersion: \(Kind.apiVersion)")])
    }

    private func readMetadata(_ reader: ObjectReader) -> Metadata? {
        var drift = DriftPolicy.enforce
        let annotations = reader.stringMap("annotations") ?? []
        if let value = annotations.first(where: { $0.key == DriftPolicy.annotation })?.value {
            if let policy = DriftPolicy(rawValue: value) {
                drift = policy
            } else if let node = reader.valueNode("annotations")?[DriftPolicy.annotation] {
                let words = DriftPolicy.allCases.map(\.rawValue)
                let notes = Suggestion.closest(to: value, in: words).map {
                    [ManifestDiagnostic.Note("did you mean '\($0)'?")]
                }
                context.error(
                    .invalidEnum, "invalid drift policy '\(value)'",
                    detail: "must be one of " + words.joined(separator: ", "),
                    at: node, notes: notes ?? [])
            }
        }
        guard let name = reader.string("name") else { return nil }
        let selector = reader.object("hostSelector").map { s in
            let labels = s.stringMap("labels") ?? []
            for entry in labels {
                if let problem = Formats.labelValue(entry.value), let node = s.valueNode("labels")?[entry.key] {
                    context.error(
                        .invalidIdentifier, "invalid label value for '\(entry.key)' in metadata.hostSelector",
                        detail: problem, at: node)
                }
            }
            return HostSelector(
                hostname: s.string("hostname"),
                labels: Dictionary(labels.map { ($0.key, $0.value) }) { first, _ in first })
        }
        return Metadata(
            name: name,
            labels: Dictionary((reader.stringMap("labels") ?? []).map { ($0.key, $0.value) }) { first, _ in first },
            annotations: Dictionary(annotations.map { ($0.key, $0.value) }) { first, _ in first },
            dependsOn: reader.references("dependsOn") ?? [], drift: drift, hostSelector: selector)
    }
}
