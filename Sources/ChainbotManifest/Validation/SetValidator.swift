import ChainbotCore

/// Checks that need the whole manifest set: duplicates, references, cycles, ports and the firewall.
struct SetValidator {
    let documents: [DecodedDocument]
    /// The first declaration of each identity, whether or not its document is otherwise valid.
    let declared: [ResourceID: SourceLocation]
    /// Documents that decoded cleanly and are the first of their identity.
    let resources: [Entry]
    var diagnostics: [ManifestDiagnostic] = []
    /// The host whose selection `documents` is, named in messages; nil for a set without selection.
    let host: HostIdentity?
    /// Resources defined only for other hosts, by first declaration: a reference to one is "not selected
    /// for this host", not "defined nowhere".
    let elsewhere: [ResourceID: SourceLocation]

    init(documents: [DecodedDocument], host: HostIdentity? = nil, elsewhere: [ResourceID: SourceLocation] = [:]) {
        self.documents = documents
        self.host = host
        self.elsewhere = elsewhere
        var declared: [ResourceID: SourceLocation] = [:]
        var resources: [Entry] = []
        for document in documents {
            guard let id = document.id, let location = document.nameLocation else { continue }
            if declared[id] == nil {
                declared[id] = location
                if let resource = document.resource { resources.append(Entry(resource: resource, document: document)) }
            }
        }
        self.declared = declared
        self.resources = resources
    }

    consuming func validate() -> [ManifestDiagnostic] {
        checkDuplicates()
        checkSingletons()
        checkUnique(.service, code: .duplicateUnit, field: "spec.unitName", what: "unit") { spec in
            if case .service(let service) = spec { return service.unitName }
            return nil
        }
        checkUnique(.configFile, code: .duplicatePath, field: "spec.path", what: "path") { spec in
            if case .configFile(let file) = spec { return file.path }
            return nil
        }
        checkUnique(.agent, code: .duplicateAgentID, field: "spec.id", what: "agent id") { spec in
            if case .agent(let agent) = spec { return agent.agentID }
            return nil
        }
        checkReferences()
        checkCycles()
        checkPorts()
        checkFirewall()
        return diagnostics
    }

    private mutating func checkDuplicates() {
        var first: [ResourceID: SourceLocation] = [:]
        for document in documents {
            guard let id = document.id, let location = document.nameLocation else { continue }
            if let earlier = first[id] {
                diagnostics.append(
                    .error(
                        .duplicateResource, "\(id) is defined more than once\(forHost)", at: location,
                        notes: [.init("first defined here", at: earlier)]))
            } else {
                first[id] = location
            }
        }
    }

    private mutating func checkSingletons() {
        for kind in Kind.allCases where kind.isSingleton {
            let ids = declared.filter { $0.key.kind == kind }.sorted { $0.value < $1.value }
            guard let first = ids.first else { continue }
            for other in ids.dropFirst() {
                diagnostics.append(
                    .error(
                        .singletonKind,
                        "\(host.map { "host '\($0.name)'" } ?? "a host") has one \(kind.rawValue); \(other.key) is a second one",
                        at: other.value,
                        notes: [.init("\(first.key) is defined here", at: first.value)]))
            }
        }
    }

    /// Reports resources of `kind` that claim the same value (unit, path, agent id) as an earlier one.
    private mutating func checkUnique(
        _ kind: Kind, code: DiagnosticCode, field: String, what: String, _ value: (ResourceSpec) -> String?
    ) {
        var claimed: [String: (id: ResourceID, location: SourceLocation)] = [:]
        for entry in resources where entry.resource.id.kind == kind {
            let resource = entry.resource
            guard let key = value(resource.spec) else { continue }
            let location = location(field, in: entry)
            if let earlier = claimed[key] {
                diagnostics.append(
                    .error(
                        code, "\(resource.id) manages \(what) '\(key)', which \(earlier.id) already manages",
                        at: location,
                        notes: [.init("\(earlier.id) claims it here", at: earlier.location)]))
            } else {
                claimed[key] = (resource.id, location)
            }
        }
    }

    /// " for host 'NAME'" when validating a host's selection, else "".
    var forHost: String { host.map { " for host '\($0.name)'" } ?? "" }

    /// A location for `path` in a resource, falling back to its name.
    func location(_ path: String, in entry: Entry) -> SourceLocation {
        entry.document.location(path) ?? entry.resource.nameLocation
    }

    /// The fields whose locations set-wide diagnostics point at (list fields also by item).
    static let locatedFields: [(section: String, fields: Set<String>)] = [
        ("metadata", ["dependsOn"]),
        (
            "spec",
            [
                "port", "owner", "service", "notify", "unitName", "path", "id", "action", "ports", "managementPorts",
                "expose",
            ]
        ),
    ]

    /// A valid resource and the document it came from (a class: entries are shared, not copied).
    final class Entry {
        let resource: Resource
        let document: DecodedDocument

        init(resource: Resource, document: DecodedDocument) {
            self.resource = resource
            self.document = document
        }
    }
}
