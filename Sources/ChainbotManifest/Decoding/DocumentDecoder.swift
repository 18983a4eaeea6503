import ChainbotCore
import ChainbotYAML

/// What one document declared: its identity (when kind and name could be read) and, when it is
/// valid, the decoded resource; its node tree gives the location of any field on demand.
struct DecodedDocument {
    var root: Node
    var file: String
    var id: ResourceID?
    var nameLocation: SourceLocation?
    var resource: Resource?

    /// Where the field at a dotted path (`spec.port`, `metadata.dependsOn[1]`) is written, if it is.
    func location(_ path: String) -> SourceLocation? {
        var node = root
        for segment in path.split(separator: ".") {
            var key = segment
            var index: Int?
            if let open = segment.firstIndex(of: "["), segment.last == "]" {
                key = segment[..<open]
                index = Int(segment[segment.index(after: open)..<segment.index(before: segment.endIndex)])
            }
            guard let child = node[String(key)] else { return nil }
            node = child
            if let index {
                guard let items = node.sequence, items.indices.contains(index) else { return nil }
                node = items[index]
            }
        }
        let length = node.end.line == node.start.line ? node.end.column - node.start.column : 1
        return SourceLocation(file: file, line: node.start.line, column: node.start.column, length: length)
    }
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
            return DecodedDocument(root: root, file: context.file)
        }
        let kind = readKind(root)
        let nameNode = root["metadata"]?["name"]
        let name = nameNode?.scalar?.text
        if let kind, let name { context.subject = "\(kind.rawValue) '\(name)'" }
        let document = ObjectReader(root, schema: ManifestSchema.document, path: "", context: context)
        checkAPIVersion(document)
        let metadata = document.object("metadata").flatMap(readMetadata)
        var decoded = DecodedDocument(root: root, file: context.file)
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
        }
        return decoded
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

    private func checkAPIVersion(_ document: ObjectReader) {
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
                let notes = Suggestion.closest(to: value, in: words).map { [ManifestDiagnostic.Note("did you mean '\($0)'?")] }
                context.error(
                    .invalidEnum, "invalid drift policy '\(value)'", detail: "must be one of " + words.joined(separator: ", "),
                    at: node, notes: notes ?? [])
            }
        }
        guard let name = reader.string("name") else { return nil }
        let selector = reader.object("hostSelector").map { s in
            HostSelector(
                hostname: s.string("hostname"),
                labels: Dictionary((s.stringMap("labels") ?? []).map { ($0.key, $0.value) }) { first, _ in first })
        }
        return Metadata(
            name: name,
            labels: Dictionary((reader.stringMap("labels") ?? []).map { ($0.key, $0.value) }) { first, _ in first },
            annotations: Dictionary(annotations.map { ($0.key, $0.value) }) { first, _ in first },
            dependsOn: reader.references("dependsOn") ?? [], drift: drift, hostSelector: selector)
    }
}
