public import ChainbotCore

/// The schema of every manifest document: the one source for validation and for `chainbot explain`.
public enum ManifestSchema {
    /// The fields of a document: apiVersion, kind, metadata, spec.
    public static let document = ObjectSchema(
        "document",
        [
            FieldSchema("apiVersion", .string(.nonEmpty), required: true, doc: "Always `chainbot.dev/v1`."),
            FieldSchema(
                "kind", .string(.nonEmpty), required: true,
                doc: "One of " + Kind.allCases.map(\.rawValue).joined(separator: ", ") + "."),
            FieldSchema("metadata", .object(metadata), required: true, doc: "Name, labels, annotations, dependencies."),
            FieldSchema("spec", .any, required: true, doc: "The desired state; its fields depend on the kind."),
        ])

    /// The fields of `metadata`, the same for every kind.
    public static let metadata = ObjectSchema(
        "metadata",
        [
            FieldSchema(
                "name", .string(.name), required: true,
                doc: "The resource's name: a DNS-1123 label (lowercase letters, digits, '-', at most 63)."),
            FieldSchema("labels", .map(key: .labelKey, value: .scalarText), doc: "Free-form key/value labels."),
            FieldSchema(
                "annotations", .map(key: .labelKey, value: .scalarText),
                doc: "Key/value annotations. `chainbot.dev/drift`: enforce (default) | warn | ignore."),
            FieldSchema(
                "dependsOn", .list(.string(.reference(Kind.allCases))),
                doc: "Resources (`Kind/name`) that must be applied first; a failed dependency blocks this one."),
            FieldSchema(
                "hostSelector", .object(hostSelector),
                doc:
                    "Which hosts of a fleet apply this resource: every given part must match; without it, every host. "
                    + "A host that stops matching prunes the resource (with --prune). See docs/fleet.md."),
        ])

    /// The fields of a `kind: Fleet` document (the inventory; see `FleetInventory`).
    static let inventoryDocument = ObjectSchema(
        "Fleet",
        [
            FieldSchema("apiVersion", .string(.nonEmpty), required: true, doc: "Always `chainbot.dev/v1`."),
            FieldSchema("kind", .string(.nonEmpty), required: true, doc: "`Fleet`."),
            FieldSchema("metadata", .object(inventoryMetadata), required: true, doc: "The inventory's name."),
            FieldSchema("spec", .object(FleetInventory.spec), required: true, doc: "The known hosts."),
        ])

    static let inventoryMetadata = ObjectSchema(
        "Fleet metadata",
        [
            FieldSchema("name", .string(.name), required: true, doc: "The inventory's name (a DNS-1123 label)."),
            FieldSchema("annotations", .map(key: .labelKey, value: .scalarText), doc: "Free-form annotations."),
        ])

    static let hostSelector = ObjectSchema(
        "hostSelector",
        [
            FieldSchema(
                "hostname", .string(.glob),
                doc: "A glob matched against the whole host name: `*`, `?`, `[a-z]`, `[!0-9]`, e.g. `pi-kitchen-*`."),
            FieldSchema(
                "labels", .map(key: .labelKey, value: .scalarText),
                doc: "Host labels (`--label KEY=VALUE`, the configuration's `labels:`) that must all be equal."),
        ])

    /// The inside of `{secretRef: {file, key}}`, the form a secret value takes.
    static let secretRef = ObjectSchema(
        "secretRef",
        [
            FieldSchema("file", .string(.absolutePath), required: true, doc: "Absolute path of the secret file."),
            FieldSchema("key", .string(.envName), doc: "Read `KEY=value` from the file instead of the whole file."),
        ])

    /// The `spec` schema of a kind.
    public static func spec(for kind: Kind) -> ObjectSchema {
        switch kind {
        case .service: service
        case .configFile: configFile
        case .port: port
        case .firewall: firewall
        case .firewallRule: firewallRule
        case .agent: agent
        case .watchtowerTarget: watchtowerTarget
        case .host: host
        }
    }

    /// One paragraph on what a kind is for.
    public static func summary(of kind: Kind) -> String {
        switch kind {
        case .service:
            "A systemd service unit chainbot writes, enables and keeps running (or stopped): structured fields or raw unit text, plus drop-ins and an optional health check."
        case .configFile:
            "A file chainbot owns: inline content, a source file beside the manifest, or env lines with secrets; written atomically with mode and owner; services in `notify` restart when it changes."
        case .port:
            "A port a service must listen on, at the address wanted and no wider; `expose` opens it in the firewall to the given networks."
        case .firewall:
            "The host's firewall (one per host): nftables table `inet chainbot` or UFW, default input policy, and management ports that can never be closed."
        case .firewallRule:
            "One accept/drop/reject rule of the chainbot firewall, loaded atomically with all the others."
        case .agent:
            "An AI agent registered in the ALEX OS registry; chainbot registers, re-registers and deregisters it and probes its health."
        case .watchtowerTarget:
            "A target in Watchtower's targets file that chainbot writes and probes itself (http, tcp, systemd unit, process)."
        case .host:
            "Expectations about the Pi itself (one per host): model, temperatures, throttling, free disk and memory, config.txt keys, hostname."
        }
    }
}
