import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct UfwPlanningTests {
    @Test func plansNothingWhenUfwHoldsTheRenderedRules() throws {
        let observed = try UfwExamples.observed("show-added-alexos.txt")

        let plan = try UfwExamples.alexOS().plan(from: observed)

        #expect(plan.isEmpty)
        #expect(plan.foreign == [])
    }

    @Test func plansNothingForEveryRenderedShapeReadBack() throws {
        #expect(try UfwExamples.mixed().plan(from: try UfwExamples.observed("show-added-mixed.txt")).lines == [])
    }

    @Test func allowsManagementBeforeSettingTheDenyPolicyAndEnablesLast() throws {
        let observed = try UfwExamples.observed("show-added-none.txt", active: false, policy: .allow)

        let plan = try UfwExamples.alexOS().plan(from: observed)

        #expect(
            plan.lines == [
                "+ allow 5420/tcp (Firewall/pi:management)",
                "+ allow 80/tcp from 10.42.69.0/24 (FirewallRule/gui-http)",
                "+ allow 8000/tcp from 10.42.69.0/24 (Port/alexos-api)",
                "+ allow 9000/tcp from 10.42.69.0/24 (Port/chainbot-api)",
                "~ default incoming allow -> deny",
                "~ ufw inactive -> active",
            ])
        #expect(plan.steps.first?.arguments.first == "prepend")
        #expect(plan.steps.last?.arguments == ["--force", "enable"])
        #expect(plan.steps[4].arguments == ["default", "deny", "incoming"])
    }

    @Test func leavesRulesAddedByHandAloneAndFixesAChangedChainbotRule() throws {
        let observed = try UfwExamples.observed("show-added-alexos-by-hand.txt")

        let plan = try UfwExamples.alexOS().plan(from: observed)

        #expect(
            plan.lines == [
                "- deny 9000/tcp from 10.42.69.0/24 (added by hand, in the way of Port/chainbot-api)",
                "+ allow 9000/tcp from 10.42.69.0/24 (Port/chainbot-api)",
            ])
        #expect(
            plan.steps[0].arguments == [
                "delete", "deny", "from", "10.42.69.0/24", "to", "any", "port", "9000", "proto", "tcp",
            ])
        #expect(
            plan.foreign == [
                "allow 22/tcp (added by hand)", "allow 22/tcp from 10.251.0.0/24 (added by hand)",
                "limit 2222/tcp (added by hand)", "route allow in on eth0 out on eth1 (added by hand)",
                "allow out 53 (added by hand)", "allow log 8443/tcp (added by hand)",
                "reject in on eth0 443/tcp from 2001:db8::/32 (added by hand)",
            ])
    }

    @Test func rewritesChainbotRulesFromTheFirstOneOutOfOrder() throws {
        var observed = try UfwExamples.observed("show-added-alexos.txt")
        observed.rules.remove(at: 2)  // Port/alexos-api, which sits between gui-http and chainbot-api

        let plan = try UfwExamples.alexOS().plan(from: observed)

        #expect(
            plan.lines == [
                "- allow 9000/tcp from 10.42.69.0/24 (Port/chainbot-api)",
                "+ allow 8000/tcp from 10.42.69.0/24 (Port/alexos-api)",
                "+ allow 9000/tcp from 10.42.69.0/24 (Port/chainbot-api)",
            ])
        #expect(
            plan.steps[0].arguments == [
                "delete", "allow", "from", "10.42.69.0/24", "to", "any", "port", "9000", "proto", "tcp", "comment",
                "chainbot:Port/chainbot-api",
            ])
    }

    @Test func deletesChainbotRulesThatLeftTheManifests() throws {
        let observed = try UfwExamples.observed("show-added-alexos.txt")
        var ports = UfwExamples.alexOSPorts
        ports["chainbot-api"] = nil
        let desired = try UfwRuleset(
            firewallName: "pi", firewall: FirewallSpec(backend: .ufw, managementPorts: [5420]),
            rules: [
                "gui-http": FirewallRuleSpec(
                    action: .accept, ports: [PortRange(80, 80)], from: ["10.42.69.0/24"],
                    comment: "ChainBot GUI through nginx")
            ], ports: ports)

        #expect(desired.plan(from: observed).lines == ["- allow 9000/tcp from 10.42.69.0/24 (Port/chainbot-api)"])
    }

    @Test func addsANewManagementPortOnTopBeforeRemovingTheOldOne() throws {
        let observed = try UfwExamples.observed("show-added-alexos.txt")

        let plan = try UfwExamples.alexOS(managementPorts: [22]).plan(from: observed)

        #expect(
            plan.lines == [
                "+ allow 22/tcp (Firewall/pi:management)",
                "- allow 5420/tcp (Firewall/pi:management)",
            ])
    }

    @Test func movesAManagementRuleBackToTheTopAndDeletesARuleInItsWay() throws {
        var observed = try UfwExamples.observed("show-added-alexos.txt")
        let management = observed.rules.removeFirst()
        observed.rules.append(management)
        observed.rules.insert(
            UfwObservedRule(
                words: ["deny", "5421/tcp"],
                rule: UfwRule(.deny, networkProtocol: "tcp", ports: [PortRange(5421, 5421)])), at: 0)
        let desired = try UfwExamples.alexOS(managementPorts: [5421, 5420])

        let plan = desired.plan(from: observed)

        #expect(
            plan.lines == [
                "- deny 5421/tcp (added by hand, in the way of Firewall/pi:management)",
                "- allow 5420/tcp (Firewall/pi:management)",
                "+ allow 5420/tcp (Firewall/pi:management)",
                "+ allow 5421/tcp (Firewall/pi:management)",
            ])
        #expect(plan.steps[2].arguments.first == "prepend")
    }

    @Test func setsThePolicyWhenOnlyThePolicyDiffers() throws {
        let observed = try UfwExamples.observed("show-added-alexos.txt", policy: .reject)

        let plan = try UfwExamples.alexOS().plan(from: observed)

        #expect(
            plan.steps == [
                UfwPlan.Step(arguments: ["default", "deny", "incoming"], line: "~ default incoming reject -> deny")
            ])
    }

    @Test func findsEveryManagementPortAllowedWhenChainbotsRuleComesFirst() throws {
        let observed = try UfwExamples.observed("show-added-alexos-by-hand.txt")

        #expect(try UfwExamples.alexOS().managementProblems(in: observed) == [])
    }

    @Test func reportsAManagementPortShutByAnEarlierRule() throws {
        var observed = try UfwExamples.observed("show-added-alexos.txt")
        observed.rules.insert(
            UfwObservedRule(
                words: ["reject", "5000:6000/tcp"],
                rule: UfwRule(.reject, networkProtocol: "tcp", ports: [PortRange(5000, 6000)])), at: 0)
        observed.rules.insert(
            UfwObservedRule(words: ["allow", "from", "10.0.0.0/8"], rule: UfwRule(.allow, from: CIDR("10.0.0.0/8"))),
            at: 0)

        #expect(
            try UfwExamples.alexOS().managementProblems(in: observed) == [
                "5420/tcp: 'reject 5000:6000/tcp' (added by hand) comes first"
            ])
        #expect(
            try UfwExamples.alexOS(managementPorts: [22]).managementProblems(in: observed) == [
                "22/tcp: no rule allows it and the default incoming policy is deny"
            ])
        observed.active = false
        #expect(try UfwExamples.alexOS().managementProblems(in: observed) == [])
    }
}
