import ChainbotCore

extension ManifestSchema {
    static let port = ObjectSchema(
        "Port spec",
        [
            FieldSchema("port", .port, required: true, doc: "The port number, 1–65535."),
            FieldSchema(
                "protocol", .enumeration(NetworkProtocol.allCases.map(\.rawValue)), default: "tcp",
                doc: "tcp or udp."),
            FieldSchema(
                "address", .string(.address), default: "127.0.0.1",
                doc: "The address the owner must bind; listening wider (0.0.0.0) than this is drift."),
            FieldSchema("owner", .string(.reference([.service])), doc: "The Service whose process must hold the port."),
            FieldSchema("expose", .object(expose), doc: "Open the port in the firewall to these networks."),
        ])

    static let expose = ObjectSchema(
        "expose",
        [
            FieldSchema(
                "from", .list(.string(.cidr)), required: true, doc: "Source networks allowed, e.g. 10.42.69.0/24.")
        ])

    static let firewall = ObjectSchema(
        "Firewall spec",
        [
            FieldSchema(
                "backend", .enumeration(FirewallSpec.Backend.allCases.map(\.rawValue)), default: "nftables",
                doc: "nftables (table `inet chainbot`) or ufw."),
            FieldSchema(
                "defaultInput", .enumeration(FirewallSpec.Policy.allCases.map(\.rawValue)), default: "drop",
                doc: "Policy for input traffic no rule accepts."),
            FieldSchema(
                "managementPorts", .list(.port), required: true,
                doc: "TCP ports always accepted first (SSH: 5420 on the ALEX OS Pi); never closed without --force."),
            FieldSchema("allowLoopback", .boolean, default: "true", doc: "Accept everything on `lo`."),
            FieldSchema("allowEstablished", .boolean, default: "true", doc: "Accept established and related traffic."),
            FieldSchema(
                "allowICMP", .boolean, default: "true", doc: "Accept ICMP and ICMPv6 (ping, neighbour discovery)."),
            FieldSchema(
                "confirmTimeout", .duration(minimum: .seconds(5)), default: "60s",
                doc: "How long a new ruleset may stay unconfirmed before the previous one is restored."),
        ])

    static let firewallRule = ObjectSchema(
        "FirewallRule spec",
        [
            FieldSchema(
                "action", .enumeration(FirewallRuleSpec.Action.allCases.map(\.rawValue)), required: true,
                doc: "accept, drop or reject."),
            FieldSchema(
                "protocol", .enumeration(FirewallRuleSpec.RuleProtocol.allCases.map(\.rawValue)),
                default: "tcp", doc: "tcp, udp, icmp or any."),
            FieldSchema("ports", .list(.portRange), doc: "Destination ports or ranges ('8000-8100'); empty: all."),
            FieldSchema("from", .list(.string(.cidr)), doc: "Source networks; empty: anywhere."),
            FieldSchema("interface", .string(.interface), doc: "Input interface name; empty: any."),
            FieldSchema("comment", .string(.text), doc: "A note kept with the rule."),
        ])
}

extension SpecDecoder {
    func port(_ spec: ObjectReader) -> PortSpec? {
        guard let number = spec.int("port") else { return nil }
        let address = spec.string("address").flatMap { IPAddress($0)?.description } ?? "127.0.0.1"
        return PortSpec(
            port: number, networkProtocol: spec.string("protocol").flatMap(NetworkProtocol.init) ?? .tcp,
            address: address, owner: spec.reference("owner"),
            exposeFrom: spec.object("expose")?.strings("from")?.compactMap { CIDR($0)?.description } ?? [])
    }

    func firewall(_ spec: ObjectReader) -> FirewallSpec? {
        guard let ports = spec.value("managementPorts")?.list?.compactMap(\.int) else { return nil }
        let policy = spec.string("defaultInput").flatMap(FirewallSpec.Policy.init) ?? .drop
        if ports.isEmpty, policy == .drop, let node = spec.valueNode("managementPorts") {
            context.error(
                .dropsManagementPort, "no management ports",
                detail: "a default-drop firewall without them would lock you out",
                at: node,
                notes: [.init("list the SSH port, e.g. managementPorts: [5420]")])
        }
        return FirewallSpec(
            backend: spec.string("backend").flatMap(FirewallSpec.Backend.init) ?? .nftables, defaultInput: policy,
            managementPorts: ports, allowLoopback: spec.bool("allowLoopback") ?? true,
            allowEstablished: spec.bool("allowEstablished") ?? true, allowICMP: spec.bool("allowICMP") ?? true,
            confirmTimeout: spec.duration("confirmTimeout") ?? .seconds(60))
    }

    func firewallRule(_ spec: ObjectReader) -> FirewallRuleSpec? {
        guard let action = spec.string("action").flatMap(FirewallRuleSpec.Action.init) else { return nil }
        let ruleProtocol = spec.string("protocol").flatMap(FirewallRuleSpec.RuleProtocol.init) ?? .tcp
        let ports =
            spec.value("ports")?.list?.compactMap { item -> PortRange? in
                if case .portRange(let range) = item { return range }
                return nil
            } ?? []
        if !ports.isEmpty, ruleProtocol == .icmp || ruleProtocol == .any, let node = spec.valueNode("ports") {
            context.error(
                .conflictingFields, "'ports' cannot be combined with protocol \(ruleProtocol.rawValue)",
                detail: "ports need tcp or udp", at: node)
            return nil
        }
        return FirewallRuleSpec(
            action: action, ruleProtocol: ruleProtocol, ports: ports,
            from: spec.strings("from")?.compactMap { CIDR($0)?.description } ?? [],
            interface: spec.string("interface"), comment: spec.string("comment"))
    }
}
