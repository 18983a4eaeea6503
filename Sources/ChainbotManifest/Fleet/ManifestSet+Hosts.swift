public import ChainbotCore

/// What one host of the fleet gets from the manifests.
public struct HostSelection: Sendable {
    public var host: FleetInventory.Host
    /// The resources selected for the host, in file and document order.
    public var resources: [Resource]
}

extension ManifestSet {
    /// Assembles the set from decoded documents: validates the selection of `host`, else every host of
    /// the inventory, else (no inventory) all documents as one host.
    init(
        documents: [DecodedDocument], fileDiagnostics: [ManifestDiagnostic], files: [ManifestFile], host: HostIdentity?
    ) {
        var fileDiagnostics = fileDiagnostics
        let inventories = documents.filter(\.isInventory)
        let valid = inventories.compactMap(\.inventory)
        for extra in valid.dropFirst() {
            fileDiagnostics.append(
                .error(
                    .singletonKind, "the manifests have one Fleet; '\(extra.name)' is a second one", at: extra.location,
                    notes: valid.first.map { [.init("Fleet '\($0.name)' is defined here", at: $0.location)] } ?? []))
        }
        let inventory = valid.first
        var setDiagnostics: [ManifestDiagnostic]
        let resources: [Resource]
        // Without any selector every host gets everything: the messages need not name a host (nor depend
        // on the machine's name).
        let selective = documents.contains { $0.selector != nil }
        if !selective {
            setDiagnostics = SetValidator(documents: documents.filter { !$0.isInventory }).validate()
            resources = documents.compactMap(\.resource)
        } else if let host {
            setDiagnostics = Self.validate(documents, for: host)
            resources = documents.filter { Self.selects($0, host) }.compactMap(\.resource)
        } else if let inventory {
            setDiagnostics = []
            var seen: Set<ManifestDiagnostic> = []
            for listed in inventory.hosts {
                for diagnostic in Self.validate(documents, for: listed.identity)
                where seen.insert(diagnostic).inserted {
                    setDiagnostics.append(diagnostic)
                }
            }
            resources = documents.compactMap(\.resource)
        } else {
            setDiagnostics = SetValidator(documents: documents.filter { !$0.isInventory }).validate()
            resources = documents.compactMap(\.resource)
        }
        self.init(
            resources: resources, diagnostics: (fileDiagnostics + setDiagnostics).sortedForOutput(), files: files)
        self.host = host
        self.inventory = inventory
        self.documents = documents
        self.fileDiagnostics = fileDiagnostics
    }

    /// The same manifests selected and validated for `host`.
    public func selected(for host: HostIdentity) -> ManifestSet {
        ManifestSet(documents: documents, fileDiagnostics: fileDiagnostics, files: files, host: host)
    }

    /// Every valid resource of the manifests, whichever host it is for.
    public var allResources: [Resource] { documents.compactMap(\.resource) }

    /// What each host of the inventory gets, in the inventory's order; empty without an inventory.
    public var hostSelections: [HostSelection] {
        (inventory?.hosts ?? []).map { listed in
            HostSelection(
                host: listed, resources: documents.filter { Self.selects($0, listed.identity) }.compactMap(\.resource))
        }
    }

    /// Resources that no host of the inventory selects (dead weight in the repository, or a typo in a
    /// selector); empty without an inventory.
    public var selectedByNoHost: [Resource] {
        guard let inventory else { return [] }
        return documents.compactMap(\.resource).filter { resource in
            !inventory.hosts.contains { resource.isSelected(for: $0.identity) }
        }
    }

    static func selects(_ document: DecodedDocument, _ host: HostIdentity) -> Bool {
        !document.isInventory && (document.selector?.matches(host) ?? true)
    }

    /// The set-wide checks on the documents `host` selects; a reference to a resource defined only for
    /// other hosts says so.
    static func validate(_ documents: [DecodedDocument], for host: HostIdentity) -> [ManifestDiagnostic] {
        var elsewhere: [ResourceID: SourceLocation] = [:]
        for document in documents where !document.isInventory && !selects(document, host) {
            if let id = document.id, let location = document.nameLocation, elsewhere[id] == nil {
                elsewhere[id] = location
            }
        }
        return SetValidator(documents: documents.filter { selects($0, host) }, host: host, elsewhere: elsewhere)
            .validate()
    }
}
