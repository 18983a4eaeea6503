import ChainbotCore
import ChainbotProviders
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// Which resources a host event concerns, from what the live providers declare for each kind.
@Suite struct AgentHostWatchRoutingTests {
    static let web = ResourceID(.service, "web")
    static let conf = ResourceID(.configFile, "web-env")
    static let port = ResourceID(.port, "web")
    static let rule = ResourceID(.firewallRule, "ssh")
    static let target = ResourceID(.watchtowerTarget, "web")
    static let host = ResourceID(.host, "pi")

    static let here = SourceLocation(file: "m.yaml", line: 1, column: 1)

    static func resource(_ name: String, _ spec: ResourceSpec) -> Resource {
        Resource(metadata: Metadata(name: name), spec: spec, location: here, nameLocation: here)
    }

    static func routes(root: String = "/") -> HostWatchRoutes {
        let resources = [
            resource("web", .service(ServiceSpec(unitName: "web.service", definition: .raw("[Service]\n")))),
            resource("web-env", .configFile(ConfigFileSpec(path: "/etc/web/env", content: .text("A=1\n")))),
            resource("web", .port(PortSpec(port: 8080, owner: web, exposeFrom: ["10.0.0.0/8"]))),
            resource("ssh", .firewallRule(FirewallRuleSpec(action: .accept, ports: [PortRange(5420, 5420)]))),
            resource("web", .watchtowerTarget(WatchtowerTargetSpec(type: .http, target: "http://127.0.0.1:8080/"))),
            resource("pi", .host(HostSpec(bootConfig: [BootConfigSection(section: "all", entries: [])]))),
        ]
        let providers = ProviderFactory.providers(
            root: nil, runner: FakeCommandRunner(),
            watchtower: WatchtowerProvider.Settings(targetsPath: "/etc/watchtower/targets.yaml"),
            firewall: ProviderFactory.firewallSettings(statePath: "/tmp/state.db", force: false, environment: [:]))
        return HostWatchRoutes(HostWatch.declarations(resources, providers: providers), root: root)
    }

    @Test func eachOwnedFileRoutesToTheResourceThatWritesIt() {
        let routes = Self.routes()
        #expect(routes.route(.file("/etc/web/env")) == [Self.conf])
        #expect(routes.route(.file("/etc/systemd/system/web.service")) == [Self.web, Self.port])
        #expect(routes.route(.file("/etc/systemd/system/web.service.d/limits.conf")) == [Self.web, Self.port])
        #expect(routes.route(.file("/etc/watchtower/targets.yaml")) == [Self.target])
        #expect(routes.route(.file("/boot/firmware/config.txt")) == [Self.host])
        #expect(routes.route(.file("/boot/config.txt")) == [Self.host])
    }

    @Test func otherFilesInAWatchedFolderAndTemporaryFilesRouteNowhere() {
        let routes = Self.routes()
        #expect(routes.route(.file("/etc/web/other")).isEmpty)
        #expect(routes.route(.file("/etc/web/.env.chainbot-tmp-1234")).isEmpty)
        #expect(routes.route(.file("/etc/systemd/system/db.service")).isEmpty)
    }

    @Test func aFolderOnTheWayToOwnedFilesRoutesToEveryOwnerBelowIt() {
        let routes = Self.routes()
        #expect(routes.route(.file("/etc/web")) == [Self.conf])
        #expect(routes.route(.file("/etc/systemd/system/web.service.d")) == [Self.web, Self.port])
    }

    @Test func aUnitEventRoutesToItsServiceAndThePortsItOwns() {
        let routes = Self.routes()
        #expect(routes.route(.unit("web.service")) == [Self.web, Self.port])
        #expect(routes.route(.unit("db.service")).isEmpty)
    }

    @Test func unitFilesChangedOrADaemonReloadRoutesToEveryResourceOfAUnit() {
        #expect(Self.routes().route(.unit("*")) == [Self.web, Self.port])
    }

    @Test func chainbotsNftablesTableRoutesToTheFirewallResourcesAndExposedPorts() {
        let routes = Self.routes()
        #expect(routes.route(.nftTable("inet chainbot")) == [Self.rule, Self.port])
        #expect(routes.route(.nftTable("inet filter")).isEmpty)
    }

    @Test func underARootTheRealPathsAreWatchedAndNotTheRunningSystemdOrNftables() {
        let routes = Self.routes(root: "/mnt/image/")
        #expect(routes.route(.file("/mnt/image/etc/web/env")) == [Self.conf])
        #expect(routes.route(.file("/etc/web/env")).isEmpty)
        #expect(routes.watchedPaths.contains("/mnt/image/etc/systemd/system/web.service"))
        #expect(routes.watchedUnits.isEmpty && routes.watchedTables.isEmpty)
    }
}
