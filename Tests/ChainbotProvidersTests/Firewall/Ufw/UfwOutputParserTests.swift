import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct UfwOutputParserTests {
    @Test func readsAnInactiveStatusWithoutAPolicy() throws {
        let status = try UfwOutputParser.status(try UfwExamples.fixture("status-inactive.txt"))

        #expect(status.active == false)
        #expect(status.policy == nil)
    }

    @Test(arguments: [
        ("status-verbose-alexos.txt", UfwPolicy.deny), ("status-verbose-alexos-by-hand.txt", .deny),
        ("status-verbose-allow.txt", .allow),
    ])
    func readsTheIncomingPolicyOfAnActiveStatus(fixture: String, policy: UfwPolicy) throws {
        let status = try UfwOutputParser.status(try UfwExamples.fixture(fixture))

        #expect(status.active == true)
        #expect(status.policy == policy)
    }

    @Test func readsTheDefaultInputPolicyFromTheDefaultsFile() throws {
        #expect(try UfwOutputParser.defaultInputPolicy(try UfwExamples.fixture("default-ufw.txt")) == .deny)
        #expect(try UfwOutputParser.defaultInputPolicy("IPV6=yes\nDEFAULT_INPUT_POLICY=ACCEPT\n") == .allow)
        #expect(throws: UfwParseError.self) { try UfwOutputParser.defaultInputPolicy("IPV6=yes\n") }
    }

    @Test func saysWhereAStatusCannotBeRead() {
        #expect(throws: UfwParseError(source: "ufw status verbose", line: 0, message: "no 'Status:' line")) {
            try UfwOutputParser.status("ERROR: problem running iptables\n")
        }
        #expect(
            throws: UfwParseError(
                source: "ufw status verbose", line: 2, message: "no incoming policy in 'Default: odd'")
        ) {
            try UfwOutputParser.status("Status: active\nDefault: odd\n")
        }
    }

    @Test func readsNoRulesFromAnEmptyList() throws {
        #expect(try UfwOutputParser.showAdded(try UfwExamples.fixture("show-added-none.txt")) == [])
    }

    @Test func readsTheAppliedAlexOSRulesBackIntoTheRenderedModel() throws {
        let rules = try UfwOutputParser.showAdded(try UfwExamples.fixture("show-added-alexos.txt"))

        #expect(rules.map(\.rule) == (try UfwExamples.alexOS()).rules)
        #expect(rules.map(\.words.first) == ["allow", "allow", "allow", "allow"])
        #expect(
            rules[1].words == [
                "allow", "from", "10.42.69.0/24", "to", "any", "port", "80", "proto", "tcp", "comment",
                "chainbot:FirewallRule/gui-http ChainBot GUI through nginx",
            ])
        #expect(rules[1].owner == "FirewallRule/gui-http")
        #expect(
            rules[1].description
                == "allow from 10.42.69.0/24 to any port 80 proto tcp comment "
                + "'chainbot:FirewallRule/gui-http ChainBot GUI through nginx'")
    }

    @Test func readsEveryRenderedShapeBackInShowAddedOrder() throws {
        let rules = try UfwOutputParser.showAdded(try UfwExamples.fixture("show-added-mixed.txt"))
        let desired = try UfwExamples.mixed()

        #expect(
            rules.compactMap(\.rule)
                == Array(desired.managementRules) + UfwRuleset.showAddedOrder(Array(desired.rules.dropFirst(2))))
    }

    @Test func keepsShapesChainbotDoesNotRenderAsWordsOnly() throws {
        let rules = try UfwOutputParser.showAdded(try UfwExamples.fixture("show-added-alexos-by-hand.txt"))
        let foreign = rules.filter { $0.owner == nil }

        #expect(
            foreign.map(\.statement) == [
                "deny 9000/tcp from 10.42.69.0/24", "allow 22/tcp", "allow 22/tcp from 10.251.0.0/24", "limit 2222/tcp",
                "route allow in on eth0 out on eth1", "allow out 53", "allow log 8443/tcp",
                "reject in on eth0 443/tcp from 2001:db8::/32",
            ])
        #expect(foreign.map { $0.rule == nil } == [false, false, false, false, true, true, true, false])
        #expect(foreign[2].comment == "ssh from lan")
        #expect(foreign[4].deleteArguments == ["route", "delete", "allow", "in", "on", "eth0", "out", "on", "eth1"])
        #expect(foreign[1].deleteArguments == ["delete", "allow", "22/tcp"])
    }

    @Test func saysWhichLineOfShowAddedCannotBeRead() {
        let text = "Added user rules (see 'ufw status' for running firewall):\nufw allow 22 comment 'open\n"
        #expect(
            throws: UfwParseError(
                source: "ufw show added", line: 2, message: "cannot read 'ufw allow 22 comment 'open'")
        ) {
            try UfwOutputParser.showAdded(text)
        }
        #expect(throws: UfwParseError.self) {
            try UfwOutputParser.showAdded("ERROR: Couldn't determine iptables version\n")
        }
    }

    @Test func readsTheShortSyntaxWithoutAProtocolAsBothProtocols() {
        #expect(UfwOutputParser.rule(["allow", "53"]) == UfwRule(.allow, ports: [PortRange(53, 53)]))
        #expect(UfwOutputParser.rule(["deny", "to", "any"]) == UfwRule(.deny))
        #expect(UfwOutputParser.rule(["allow", "OpenSSH"]) == nil)
        #expect(UfwOutputParser.rule(["allow", "from", "10.0.0.1", "port", "53"]) == nil)
    }
}
