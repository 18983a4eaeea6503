import ChainbotCore

extension ManifestSchema {
    static let agent = ObjectSchema(
        "Agent spec",
        [
            FieldSchema("id", .string(.nonEmpty), default: "metadata.name", doc: "The registry's `agent_name`."),
            FieldSchema("displayName", .string(.text), doc: "A human-friendly name."),
            FieldSchema("description", .string(.text), doc: "What the agent does."),
            FieldSchema("role", .string(.text), doc: "The agent's `role` in the registry."),
            FieldSchema(
                "agentType", .enumeration(AgentSpec.AgentType.allCases.map(\.rawValue)), default: "ai_agent",
                doc: "alex_os_framework_agent or ai_agent."),
            FieldSchema(
                "version", .string(.nonEmpty), required: true, doc: "`agent_version` reported to the registry."),
            FieldSchema("capabilities", .list(.string(.nonEmpty)), doc: "Capability names."),
            FieldSchema("uiFeatures", .list(.string(.nonEmpty)), doc: "`ui_features` for the ChainBot GUI."),
            FieldSchema("endpoints", .list(.string(.nonEmpty)), doc: "API endpoints the agent offers."),
            FieldSchema("port", .port, doc: "The port the agent serves on."),
            FieldSchema(
                "healthEndpoint", .string(.urlOrPath),
                doc: "A URL, or a path on `port`, answering JSON with a `status`."),
            FieldSchema("service", .string(.reference([.service])), doc: "The Service that runs the agent."),
            FieldSchema(
                "token", .secretOrText,
                doc: "`{secretRef: {file, key}}`: a registry token sent as `Authorization: Bearer`; never shown."),
        ])

    static let watchtowerTarget = ObjectSchema(
        "WatchtowerTarget spec",
        [
            FieldSchema(
                "type", .enumeration(WatchtowerTargetSpec.TargetType.allCases.map(\.rawValue)), required: true,
                doc: "http, tcp, systemd or process."),
            FieldSchema(
                "target", .string(.nonEmpty), required: true,
                doc: "A URL (http), host:port (tcp), a unit name (systemd) or a process name (process)."),
            FieldSchema("interval", .duration(minimum: .seconds(1)), default: "30s", doc: "Time between probes."),
            FieldSchema("timeout", .duration(minimum: .milliseconds(1)), default: "5s", doc: "Time a probe may take."),
            FieldSchema("thresholds", .object(thresholds), doc: "How many results change the target's state."),
            FieldSchema("expect", .object(expect), doc: "What a healthy http answer looks like."),
            FieldSchema(
                "severity", .enumeration(WatchtowerTargetSpec.Severity.allCases.map(\.rawValue)),
                default: "warning", doc: "Severity of the alert events."),
        ])

    static let thresholds = ObjectSchema(
        "thresholds",
        [
            FieldSchema("failures", .integer(1...100), default: "3", doc: "Consecutive failures before an alert."),
            FieldSchema("recoveries", .integer(1...100), default: "1", doc: "Consecutive successes before recovery."),
        ])

    static let expect = ObjectSchema(
        "expect",
        [
            FieldSchema("status", .integer(100...599), default: "200", doc: "Expected HTTP status."),
            FieldSchema("jsonStatus", .string(.nonEmpty), doc: "Expected value of the JSON body's `status`."),
        ])
}

extension SpecDecoder {
    func agent(_ spec: ObjectReader, name: String) -> AgentSpec? {
        guard let version = spec.string("version") else { return nil }
        if let health = spec.string("healthEndpoint"), health.hasPrefix("/"), !spec.has("port"),
            let node = spec.valueNode("healthEndpoint")
        {
            context.error(
                .missingField, "missing field 'port'", detail: "healthEndpoint is a path, which needs the agent's port",
                at: node)
        }
        var token: SecretRef?
        switch spec.value("token") {
        case .secret(let ref)?: token = ref
        case .string?:
            if let node = spec.valueNode("token") {
                context.error(
                    .invalidSecretRef, "invalid secret value for spec.token",
                    detail:
                        "a token must not be written in a manifest: use {secretRef: {file: /absolute/path, key: NAME}}",
                    at: node)
            }
        default: break
        }
        return AgentSpec(
            agentID: spec.string("id") ?? name, displayName: spec.string("displayName"),
            description: spec.string("description"), role: spec.string("role"),
            agentType: spec.string("agentType").flatMap(AgentSpec.AgentType.init) ?? .aiAgent, version: version,
            capabilities: spec.strings("capabilities") ?? [], uiFeatures: spec.strings("uiFeatures") ?? [],
            endpoints: spec.strings("endpoints") ?? [], port: spec.int("port"),
            healthEndpoint: spec.string("healthEndpoint"), service: spec.reference("service"), token: token)
    }

    func watchtowerTarget(_ spec: ObjectReader) -> WatchtowerTargetSpec? {
        guard let type = spec.string("type").flatMap(WatchtowerTargetSpec.TargetType.init),
            let target = spec.string("target"), let targetNode = spec.valueNode("target")
        else { return nil }
        let problem: (DiagnosticCode, String)? =
            switch type {
            case .http: Formats.url(target).map { (.invalidURL, $0) }
            case .tcp: Formats.endpoint(target).map { (.invalidAddress, $0) }
            case .systemd: Formats.unitName(target, suffixes: nil).map { (.invalidUnitName, $0) }
            case .process:
                target.contains("/") && !target.hasPrefix("/")
                    ? (.invalidIdentifier, "not a process name or an absolute path") : nil
            }
        if let (code, message) = problem {
            context.error(
                code, "invalid spec.target '\(target)' for type \(type.rawValue)", detail: message, at: targetNode)
            return nil
        }
        let interval = spec.duration("interval") ?? .seconds(30)
        let timeout = spec.duration("timeout") ?? .seconds(5)
        if timeout > interval, let node = spec.valueNode("timeout") ?? spec.valueNode("interval") {
            context.error(
                .inconsistentValues, "spec.timeout is longer than spec.interval",
                detail: "\(DurationText.format(timeout)) > \(DurationText.format(interval))", at: node)
        }
        if spec.has("expect"), type != .http, let node = spec.keyNode("expect") {
            context.error(
                .conflictingFields, "'expect' cannot be combined with type \(type.rawValue)",
                detail: "it applies to http targets only", at: node)
        }
        let thresholds = spec.object("thresholds")
        let expect = spec.object("expect")
        return WatchtowerTargetSpec(
            type: type, target: target, interval: interval, timeout: timeout,
            failureThreshold: thresholds?.int("failures") ?? 3, recoveryThreshold: thresholds?.int("recoveries") ?? 1,
            expectStatus: expect?.int("status") ?? 200, expectJSONStatus: expect?.string("jsonStatus"),
            severity: spec.string("severity").flatMap(WatchtowerTargetSpec.Severity.init) ?? .warning)
    }
}
