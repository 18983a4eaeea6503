public import ChainbotCore
import ChainbotYAML

/// The hosts a fleet repository knows (a `kind: Fleet` document, by convention `fleet.yaml`): what CI
/// validates the manifests for, host by host. It is not a resource: nothing applies it.
public struct FleetInventory: Sendable, Hashable {
    /// One listed host and where its name is written.
    public struct Host: Sendable, Hashable {
        public var identity: HostIdentity
        public var location: SourceLocation
    }

    /// The inventory's name (`metadata.name`).
    public var name: String
    /// The hosts in the order listed; names are unique.
    public var hosts: [Host]
    /// Where the document starts.
    public var location: SourceLocation

    /// The kind that marks an inventory document.
    public static let kind = "Fleet"

    /// The document's schema (`chainbot explain Fleet`).
    public static let spec = ObjectSchema(
        "Fleet spec",
        [
            FieldSchema(
                "hosts", .list(.object(host)), required: true,
                doc: "The known hosts; `chainbot validate` checks the selected set of each.")
        ])

    static let host = ObjectSchema(
        "Fleet host",
        [
            FieldSchema("name", .string(.hostname), required: true, doc: "The host's name (unique in the list)."),
            FieldSchema(
                "labels", .map(key: .labelKey, value: .scalarText),
                doc: "The host's labels, as its agent has them (`--label`, the configuration's `labels:`)."),
        ])

    /// What `chainbot explain Fleet` says first.
    public static let summary =
        "The fleet's inventory: the hosts CI validates the manifests for (not applied to any host)."

    /// Why `key=value` is not a valid host label, or nil when it is one (`--label`, `labels:`).
    public static func labelProblem(key: String, value: String) -> String? {
        if let problem = Formats.labelKey(key) { return "the key '\(key)' is \(problem)" }
        if let problem = Formats.labelValue(value) { return "the value '\(value)' of '\(key)' is \(problem)" }
        return nil
    }

    /// Why `name` is not a valid host name, or nil when it is one (`--host`, `host:`).
    public static func hostnameProblem(_ name: String) -> String? {
        Formats.hostname(name).map { "'\(name)' \($0)" }
    }
}

extension DocumentDecoder {
    /// Decodes a `kind: Fleet` document; host names must be unique, label values valid.
    func decodeInventory(_ root: Node) -> DecodedDocument {
        let errorsBefore = context.errorCount
        context.subject = "Fleet"
        let document = ObjectReader(root, schema: ManifestSchema.inventoryDocument, path: "", context: context)
        checkAPIVersion(document)
        let name = document.object("metadata")?.string("name")
        var hosts: [FleetInventory.Host] = []
        var seen: [String: SourceLocation] = [:]
        if let specNode = document.valueNode("spec"), specNode.scalar?.value != .null {
            let spec = ObjectReader(specNode, schema: FleetInventory.spec, path: "spec", context: context)
            for item in spec.value("hosts")?.list ?? [] {
                guard let host = item.object, let hostName = host.string("name"),
                    let nameNode = host.valueNode("name")
                else { continue }
                let location = context.location(of: nameNode)
                if let first = seen[hostName] {
                    context.report(
                        .error(
                            .duplicateResource, "host '\(hostName)' is listed twice in the Fleet", at: location,
                            notes: [.init("first listed here", at: first)]))
                    continue
                }
                seen[hostName] = location
                var labels: [String: String] = [:]
                for entry in host.stringMap("labels") ?? [] {
                    if let problem = Formats.labelValue(entry.value),
                        let node = host.valueNode("labels")?[entry.key]
                    {
                        context.error(
                            .invalidIdentifier, "invalid label value for '\(entry.key)'", detail: problem, at: node)
                    }
                    labels[entry.key] = entry.value
                }
                hosts.append(
                    FleetInventory.Host(identity: HostIdentity(name: hostName, labels: labels), location: location))
            }
        }
        var decoded = DecodedDocument()
        if let name, context.errorCount == errorsBefore {
            decoded.inventory = FleetInventory(name: name, hosts: hosts, location: context.location(of: root.start))
        }
        return decoded
    }
}
