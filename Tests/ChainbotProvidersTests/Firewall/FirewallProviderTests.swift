import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotProviders

/// The Firewall provider against scripted `nft` output (fixtures captured from nft 1.0.6): what each
/// resource shows, which steps it asks for, and the errors a person sees.
@Suite struct FirewallProviderTests {
    static let here = SourceLocation(file: "pi.yaml", line: 1, column: 1)

    /// The ALEX OS firewall of `FirewallExamples.alexOS()` as manifest resources.
    static func alexOS(managementPorts: [Int] = [5420]) -> [Resource] {
        func resource(_ name: String, _ spec: ResourceSpec) -> Resource {
            Resource(metadata: Metadata(name: name), spec: spec, location: here, nameLocation: here)
        }
        return [
            resource("pi", .firewall(FirewallSpec(defaultInput: .drop, managementPorts: managementPorts))),
            resource(
                "gui-http",
                .firewallRule(
                    FirewallRuleSpec(
                        action: .accept, ruleProtocol: .tcp, ports: [PortRange(80, 80)], from: ["10.42.69.0/24"],
                        comment: "ChainBot GUI through nginx"))),
            resource(
                "chainbot-api",
                .port(
                    PortSpec(
                        port: 9000, address: "0.0.0.0", owner: ResourceID(.service, "chainbot"),
                        exposeFrom: ["10.42.69.0/24"]))),
            resource(
                "alexos-api",
                .port(
                    PortSpec(
                        port: 8000, address: "0.0.0.0", owner: ResourceID(.service, "watchtower"),
                        exposeFrom: ["10.42.69.0/24"]))),
            resource("local-only", .port(PortSpec(port: 5000, owner: ResourceID(.service, "watchtower")))),
        ]
    }

    static func provider(_ runner: FakeCommandRunner, force: Bool = false, desired: [Resource]) -> any Provider {
        FirewallProvider(
            runner: runner,
            settings: .init(
                runtimeDirectory: "/nonexistent/run", runtimeFileSystem: LocalFileSystem(), watchdog: [["/bin/false"]],
                force: force),
            launcher: DetachedLauncherStub()
        ).bound(to: desired, applied: [:])
    }

    static func table(_ fixture: String) throws -> String {
        try #require(Fixtures.readText(Fixtures.path("fixtures/nftables/\(fixture)")))
    }

    /// Observes every resource and plans it as the engine would: changed facets, then steps.
    static func plan(_ provider: any Provider, _ desired: [Resource]) async throws -> [ResourceID: (
        [FieldChange], [StepAction]
    )] {
        var rendered: [ResourceID: Rendered] = [:]
        for resource in desired {
            rendered[resource.id] = try await provider.render(resource.id, spec: resource.spec, previous: nil)
        }
        let observed = try await provider.observe(
            desired.map { ObserveTarget(id: $0.id, spec: $0.spec, previous: nil, rendered: rendered[$0.id]) })
        var out: [ResourceID: ([FieldChange], [StepAction])] = [:]
        for resource in desired {
            let seen = try #require(observed[resource.id])
            let changes = (rendered[resource.id]?.facets ?? []).compactMap { facet -> FieldChange? in
                let current = seen.facets[facet.name] ?? .absent
                return current == facet.value
                    ? nil : FieldChange(resource: resource.id, facet: facet.name, from: current, to: facet.value)
            }
            out[resource.id] = (
                changes,
                provider.steps(for: resource.id, spec: resource.spec, previous: nil, changes: changes, observed: seen)
            )
        }
        return out
    }

    @Test func theLoadedTableIsInSyncForEveryResource() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try Self.table("alexos-table.json"))
        let desired = Self.alexOS()
        let plan = try await Self.plan(Self.provider(runner, desired: desired), desired)
        for (id, (changes, steps)) in plan {
            #expect(changes.isEmpty, "\(id): \(changes)")
            #expect(steps.isEmpty, "\(id): \(steps)")
        }
        // One read of the table for render and observe together.
        #expect(runner.commandLines == ["nft -j list table inet chainbot"])
    }

    @Test func aRuleAddedByHandIsTheFirewallsDriftAndOneLoadFixesIt() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try Self.table("alexos-table-ssh-added-by-hand.json"))
        let desired = Self.alexOS()
        let plan = try await Self.plan(Self.provider(runner, desired: desired), desired)
        let (changes, steps) = try #require(plan[ResourceID(.firewall, "pi")])
        let rules = try #require(changes.first { $0.facet == "rules" })
        guard case .text(let observed) = rules.from else {
            Issue.record("rules should be text: \(rules.from)")
            return
        }
        #expect(observed.contains("tcp dport 22 accept  (added by hand)\n"))
        guard case .loadFirewall(let load)? = steps.first else {
            Issue.record("expected a load, got \(steps)")
            return
        }
        #expect(load.rendered == (try Self.table("alexos-table.nft")))
        #expect(load.expected.first == "policy drop")
        #expect(load.managementPorts == [5420])
        // The FirewallRule and Ports are untouched: their own rules are all there.
        #expect(plan[ResourceID(.firewallRule, "gui-http")]?.0.isEmpty == true)
        #expect(plan[ResourceID(.port, "chainbot-api")]?.0.isEmpty == true)
    }

    @Test func anUnmodelledRuleIsShownWithItsExpressions() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try Self.table("alexos-table-counter-rule-added.json"))
        let desired = Self.alexOS()
        let plan = try await Self.plan(Self.provider(runner, desired: desired), desired)
        let change = try #require(plan[ResourceID(.firewall, "pi")]?.0.first { $0.facet == "rules" })
        guard case .text(let observed) = change.from else {
            Issue.record("rules should be text: \(change.from)")
            return
        }
        #expect(observed.contains("unrecognized rule [{"), "\(observed)")
        #expect(observed.contains("\"counter\""), "\(observed)")
        #expect(observed.contains("# debugging  (added by hand)"), "\(observed)")
    }

    @Test func aMissingTableIsCreatedWithOneLoadSharedByAllResources() async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "nft", ["-j", "list", "table"], exitCode: 1,
            errorOutput: "Error: No such file or directory\nlist table inet chainbot\n                 ^^^^^^^^\n")
        runner.script("nft", ["-j", "list", "tables"], output: #"{"nftables": [{"metainfo": {"version": "1.0.6"}}]}"#)
        let desired = Self.alexOS()
        let plan = try await Self.plan(Self.provider(runner, desired: desired), desired)
        let loads = plan.values.flatMap(\.1).filter {
            if case .loadFirewall = $0 { return true }
            return false
        }
        // Firewall, FirewallRule and the two exposed Ports each ask for the same load; the local-only Port
        // has nothing in the table.
        #expect(loads.count == 4)
        #expect(Set(loads).count == 1)
        #expect(plan[ResourceID(.port, "local-only")]?.1.isEmpty == true)
    }

    @Test func droppingAManagementPortIsRefusedBeforeAnythingIsLoaded() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try Self.table("alexos-table.json"))
        let desired = Self.alexOS(managementPorts: [22])
        let provider = Self.provider(runner, desired: desired)
        let error = await #expect(throws: ProviderError.self) {
            _ = try await provider.render(desired[0].id, spec: desired[0].spec, previous: nil)
        }
        #expect(error?.message.contains("stops accepting management port 5420") == true, "\(String(describing: error))")
        #expect(error?.message.contains("--force") == true)

        let forced = Self.provider(runner, force: true, desired: desired)
        let facets = try await forced.render(desired[0].id, spec: desired[0].spec, previous: nil).facets
        #expect(facets.contains { $0.name == "rules" })
    }

    @Test func nftMissingIsOneClearError() async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "nft",
            error: .launchFailed(
                command: "nft -j list table inet chainbot", reason: .init("No such file or directory", errno: ENOENT))
        )
        let desired = Self.alexOS()
        let provider = Self.provider(runner, desired: desired)
        let error = await #expect(throws: ProviderError.self) {
            _ = try await provider.observe(desired.map { ObserveTarget(id: $0.id, spec: $0.spec) })
        }
        #expect(error?.message.contains("nft is not installed") == true)
        #expect(error?.message.contains("apt-get install nftables") == true)
    }

    @Test func aFirewallRuleWithoutAFirewallSaysWhatIsMissing() async throws {
        let runner = FakeCommandRunner()
        let rule = Self.alexOS()[1]
        let provider = Self.provider(runner, desired: [rule])
        let error = await #expect(throws: ProviderError.self) {
            _ = try await provider.render(rule.id, spec: rule.spec, previous: nil)
        }
        #expect(
            error?.message == "FirewallRule/gui-http needs a Firewall resource: FirewallRules are part of its table")
    }

    @Test func removingTheFirewallDeletesTheWholeTable() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft", ["-j", "list", "table"], output: try Self.table("alexos-table.json"))
        let firewall = Self.alexOS()[0]
        let provider = Self.provider(runner, desired: [])
        let observed = try await provider.observe([ObserveTarget(id: firewall.id, spec: firewall.spec)])
        let seen = try #require(observed[firewall.id])
        let steps = provider.steps(for: firewall.id, spec: nil, previous: firewall.spec, changes: [], observed: seen)
        guard case .loadFirewall(let load)? = steps.first else {
            Issue.record("expected a load, got \(steps)")
            return
        }
        #expect(load.rendered == "table inet chainbot\ndelete table inet chainbot\n")
        #expect(load.expected.isEmpty)
    }
}

/// A launcher the fake-runner tests never reach (no step is executed).
struct DetachedLauncherStub: BackgroundLauncher {
    func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
        -> any BackgroundProcess
    {
        throw .launchFailed(command: executable, reason: "not in unit tests")
    }
}
