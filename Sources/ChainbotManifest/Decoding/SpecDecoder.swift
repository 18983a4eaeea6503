import ChainbotCore

/// Turns a checked `spec` mapping into the typed spec of its kind, adding checks across its fields.
struct SpecDecoder {
    let context: DecodeContext

    func decode(_ spec: ObjectReader, kind: Kind, name: String) -> ResourceSpec? {
        switch kind {
        case .service: service(spec, name: name).map(ResourceSpec.service)
        case .configFile: configFile(spec).map(ResourceSpec.configFile)
        case .port: port(spec).map(ResourceSpec.port)
        case .firewall: firewall(spec).map(ResourceSpec.firewall)
        case .firewallRule: firewallRule(spec).map(ResourceSpec.firewallRule)
        case .agent: agent(spec, name: name).map(ResourceSpec.agent)
        case .watchtowerTarget: watchtowerTarget(spec).map(ResourceSpec.watchtowerTarget)
        case .host: host(spec).map(ResourceSpec.host)
        }
    }
}
