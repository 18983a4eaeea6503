import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import Testing

/// The `kind: Fleet` inventory: read with its hosts, every listed host validated, bad inventories reported.
@Suite struct FleetInventoryTests {
    static let inventory = """
        apiVersion: chainbot.dev/v1
        kind: Fleet
        metadata: {name: home}
        spec:
          hosts:
            - {name: pi-kitchen-1, labels: {room: kitchen}}
            - {name: pi-garage, labels: {room: garage}}

        """

    static let kitchenOnlyDependency = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata:
          name: kitchen-only
          hostSelector: {labels: {room: kitchen}}
        spec: {path: /etc/k, content: a}
        ---
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: everywhere, dependsOn: [ConfigFile/kitchen-only]}
        spec: {path: /etc/e, content: b}

        """

    @Test func theInventoryIsReadAndIsNoResource() throws {
        let set = ManifestLoader().load(text: Self.inventory, path: "fleet.yaml")
        #expect(set.isValid, "\(set.diagnostics.map(\.message))")
        #expect(set.resources.isEmpty)
        let inventory = try #require(set.inventory)
        #expect(inventory.name == "home")
        #expect(
            inventory.hosts.map(\.identity) == [
                HostIdentity(name: "pi-kitchen-1", labels: ["room": "kitchen"]),
                HostIdentity(name: "pi-garage", labels: ["room": "garage"]),
            ])
        #expect(inventory.hosts.last?.location.line == 7)
    }

    @Test func withoutAHostEveryListedHostIsValidatedAndEachGetsItsShare() throws {
        let set = ManifestLoader().load(text: Self.inventory + "---\n" + Self.kitchenOnlyDependency, path: "m.yaml")
        let problems = set.diagnostics.filter { $0.severity == .error }
        #expect(problems.count == 1, "\(problems.map(\.message))")
        #expect(problems.first?.message.hasSuffix("which is not selected for host 'pi-garage'") == true)
        let shares = set.hostSelections.map { $0.resources.map(\.id.name) }
        #expect(shares == [["kitchen-only", "everywhere"], ["everywhere"]])
        #expect(set.hostSelections.map(\.host.identity.name) == ["pi-kitchen-1", "pi-garage"])
    }

    @Test func aResourceNoListedHostSelectsIsNamed() {
        let text =
            Self.inventory + "---\n"
                + """
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: typo, hostSelector: {hostname: "pi-kichen-*"}}
                spec: {path: /etc/t, content: a}

                """
        let set = ManifestLoader().load(text: text, path: "m.yaml")
        #expect(set.isValid)
        #expect(set.selectedByNoHost.map(\.id.name) == ["typo"])
    }

    @Test func aSecondFleetAndABadHostLabelAreErrorsWithTheirLocation() throws {
        let second = Self.inventory.replacing("name: home", with: "name: work")
        let twice = ManifestLoader().load(text: Self.inventory + "---\n" + second, path: "fleet.yaml")
        let extra = try #require(twice.diagnostics.first { $0.code == .singletonKind })
        #expect(extra.message == "the manifests have one Fleet; 'work' is a second one")
        #expect(extra.location.line == 9 && extra.notes.first?.location?.line == 1)

        let badLabel = ManifestLoader().load(
            text: Self.inventory.replacing("{room: garage}", with: "{room: \"big garage\"}"), path: "fleet.yaml")
        let problem = try #require(badLabel.diagnostics.first)
        #expect(problem.code == .invalidIdentifier && problem.location.line == 7 && problem.location.column == 40)
        #expect(badLabel.inventory == nil)
    }
}
