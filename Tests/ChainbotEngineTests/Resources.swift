import ChainbotCore

/// Small resources for planner tests.
enum Resources {
    static let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

    static func service(
        _ name: String, dependsOn: [ResourceID] = [], drift: DriftPolicy = .enforce,
        state: ServiceSpec.State = .running,
        environmentFile: String? = nil
    ) -> Resource {
        let unit = ServiceUnit(exec: "/bin/sleep infinity", environmentFile: environmentFile)
        return Resource(
            metadata: Metadata(name: name, dependsOn: dependsOn, drift: drift),
            spec: .service(ServiceSpec(unitName: "\(name).service", definition: .structured(unit), state: state)),
            location: here, nameLocation: here)
    }

    static func configFile(_ name: String, path: String? = nil, notify: [ResourceID] = []) -> Resource {
        Resource(
            metadata: Metadata(name: name),
            spec: .configFile(ConfigFileSpec(path: path ?? "/etc/\(name)", content: .text("x"), notify: notify)),
            location: here, nameLocation: here)
    }

    static func port(_ name: String, _ number: Int, owner: ResourceID?) -> Resource {
        Resource(
            metadata: Metadata(name: name), spec: .port(PortSpec(port: number, owner: owner)), location: here,
            nameLocation: here)
    }

    static func rule(_ name: String) -> Resource {
        Resource(
            metadata: Metadata(name: name), spec: .firewallRule(FirewallRuleSpec(action: .accept, ports: [])),
            location: here, nameLocation: here)
    }
}
