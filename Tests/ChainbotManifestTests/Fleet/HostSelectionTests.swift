import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import Testing

/// `metadata.hostSelector` selects: globs, labels, absent parts, and the set-wide checks per host.
@Suite struct HostSelectionTests {
    static let kitchen = HostIdentity(name: "pi-kitchen-1", labels: ["room": "kitchen", "role": "sensor"])
    static let garage = HostIdentity(name: "pi-garage", labels: ["room": "garage"])
    static let vm = HostIdentity(name: "vm")

    /// A ConfigFile document named `name` at `path`, with `selector` (YAML flow text) when given.
    static func configFile(_ name: String, path: String, selector: String? = nil, extra: String = "") -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata:
          name: \(name)
        \(selector.map { "  hostSelector: \($0)\n" } ?? "")\(extra)spec:
          path: \(path)
          content: "x"

        """
    }

    @Test(arguments: [
        ("pi-*", "pi-kitchen-1", true), ("pi-kitchen-?", "pi-kitchen-1", true),
        ("pi-kitchen-?", "pi-kitchen-12", false),
        ("pi-[a-k]*", "pi-garage", true), ("pi-[!a-k]*", "pi-garage", false), ("pi-[^a-k]*", "pi-x", true),
        ("*", "", true), ("pi", "pi-kitchen-1", false), ("*-1", "pi-kitchen-1", true), ("a\\*", "a*", true),
        ("a\\*", "ab", false), ("[]x]", "]", true), ("*a*a*a*a*b", String(repeating: "a", count: 200), false),
    ])
    func hostnameGlobsMatchTheWholeName(pattern: String, name: String, expected: Bool) {
        #expect(HostGlob.matches(pattern, name) == expected, "\(pattern) ~ \(name)")
    }

    @Test func everyGivenPartOfASelectorMustMatchAndAnEmptyOneMatchesEveryHost() {
        #expect(HostSelector().matches(Self.vm))
        #expect(HostSelector(hostname: "pi-*").matches(Self.kitchen))
        #expect(!HostSelector(hostname: "pi-*").matches(Self.vm))
        #expect(HostSelector(labels: ["room": "kitchen"]).matches(Self.kitchen))
        #expect(!HostSelector(labels: ["room": "kitchen"]).matches(Self.garage))
        #expect(!HostSelector(labels: ["room": "kitchen"]).matches(Self.vm), "a missing label does not match")
        #expect(!HostSelector(hostname: "pi-garage", labels: ["room": "kitchen"]).matches(Self.garage))
        #expect(HostSelector(hostname: "pi-*", labels: ["room": "kitchen", "role": "sensor"]).matches(Self.kitchen))
    }

    @Test func aHostGetsOnlyTheResourcesItsSelectorsPick() {
        let text =
            Self.configFile("motd", path: "/etc/motd") + "---\n"
            + Self.configFile("room", path: "/etc/room", selector: "{hostname: \"pi-kitchen-*\"}") + "---\n"
            + Self.configFile("sensor", path: "/etc/sensor", selector: "{labels: {role: sensor}}")
        let loader = { (host: HostIdentity) in
            ManifestLoader(host: host).load(text: text, path: "m.yaml").resources.map(\.id.name)
        }
        #expect(loader(Self.vm) == ["motd"])
        #expect(loader(Self.kitchen) == ["motd", "room", "sensor"])
        #expect(loader(Self.garage) == ["motd"])
    }

    @Test func theSameNameUnderDisjointSelectorsIsOneResourcePerHost() throws {
        let text =
            Self.configFile("room", path: "/etc/room", selector: "{labels: {room: kitchen}}") + "---\n"
            + Self.configFile("room", path: "/etc/room", selector: "{labels: {room: garage}}")
        let kitchen = ManifestLoader(host: Self.kitchen).load(text: text, path: "m.yaml")
        #expect(kitchen.diagnostics.isEmpty, "\(kitchen.diagnostics.map(\.message))")
        let resource = try #require(kitchen.resources.first)
        #expect(kitchen.resources.count == 1 && resource.location.line == 1)
        let garage = ManifestLoader(host: Self.garage).load(text: text, path: "m.yaml")
        #expect(garage.diagnostics.isEmpty && garage.resources.first?.location.line == 10)
    }

    @Test func theSameNameSelectedTwiceForOneHostNamesBothPlacesAndTheHost() throws {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: 1️⃣room
              hostSelector: {hostname: "pi-*"}
            spec: {path: /etc/room, content: a}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: 2️⃣room
              hostSelector: {labels: {room: kitchen}}
            spec: {path: /etc/room2, content: b}

            """)
        let set = ManifestLoader(host: Self.kitchen).load(text: marked.text, path: "m.yaml")
        let duplicate = try #require(set.diagnostics.first { $0.code == .duplicateResource })
        #expect(duplicate.message == "ConfigFile/room is defined more than once for host 'pi-kitchen-1'")
        #expect(duplicate.location.line == marked["2️⃣"].line && duplicate.location.column == marked["2️⃣"].column)
        #expect(duplicate.notes.first?.location?.line == marked["1️⃣"].line)
        #expect(ManifestLoader(host: Self.garage).load(text: marked.text, path: "m.yaml").isValid)
    }

    @Test func aDependencyOnAResourceNotSelectedForTheHostIsAnErrorAtTheReference() throws {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: kitchen-only
              hostSelector: {labels: {room: kitchen}}
            spec: {path: /etc/k, content: a}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: everywhere
              dependsOn: [1️⃣ConfigFile/kitchen-only]
            spec: {path: /etc/e, content: b}

            """)
        #expect(ManifestLoader(host: Self.kitchen).load(text: marked.text, path: "m.yaml").isValid)
        let set = ManifestLoader(host: Self.garage).load(text: marked.text, path: "m.yaml")
        let problem = try #require(set.diagnostics.first { $0.code == .danglingReference })
        #expect(
            problem.message
                == "metadata.dependsOn[0] in ConfigFile 'everywhere' refers to ConfigFile/kitchen-only, which is not selected for host 'pi-garage'"
        )
        #expect(problem.location.line == marked["1️⃣"].line && problem.location.column == marked["1️⃣"].column)
        #expect(problem.notes.first?.location?.line == 4)
    }

    @Test func oneFirewallPerHostAllowsOnePerDisjointSelector() {
        let firewall = { (name: String, room: String) in
            """
            apiVersion: chainbot.dev/v1
            kind: Firewall
            metadata: {name: \(name), hostSelector: {labels: {room: \(room)}}}
            spec: {backend: nftables, managementPorts: [5420]}

            """
        }
        let text = firewall("kitchen", "kitchen") + "---\n" + firewall("garage", "garage")
        #expect(ManifestLoader(host: Self.kitchen).load(text: text, path: "m.yaml").isValid)
        let both = HostIdentity(name: "odd", labels: ["room": "kitchen"])
        #expect(ManifestLoader(host: both).load(text: text, path: "m.yaml").resources.count == 1)
    }

    @Test(arguments: [
        ("{hostname: \"pi-[z-a]*\"}", "invalid-pattern", "reversed range 'z-a'"),
        ("{hostname: \"pi-\\\\\"}", "invalid-pattern", "lone '\\'"),
        ("{labels: {room: \"big kitchen\"}}", "invalid-identifier", "not a valid label value"),
        ("{labels: {\"-room\": kitchen}}", "invalid-identifier", "not a valid label key"),
    ])
    func aMalformedSelectorIsAnErrorAtItsValue(selector: String, code: String, text: String) throws {
        let set = ManifestLoader(host: Self.kitchen).load(
            text: Self.configFile("room", path: "/etc/room", selector: selector), path: "m.yaml")
        #expect(!set.isValid)
        #expect(set.resources.isEmpty)
        let problem = try #require(set.diagnostics.first)
        #expect(problem.code.rawValue == code)
        #expect(problem.location.file == "m.yaml" && problem.location.line == 5 && problem.location.column > 16)
        #expect("\(problem.message) \(problem.notes.map(\.message))".contains(text), "\(problem.message)")
    }
}
