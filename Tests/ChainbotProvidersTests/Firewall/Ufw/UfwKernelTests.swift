import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// The real ufw 0.36 in a network namespace with private UFW state (contrib/testbed/ufw-netns.sh), with real
/// TCP from a peer namespace across a veth pair.
@Suite(.enabled(if: UfwNamespace.unavailable == nil, Comment(rawValue: UfwNamespace.unavailable ?? "")))
struct UfwKernelTests {
    /// Default deny, management port 5420, two service ports open to the peer's network; 7000 listens but is
    /// not allowed.
    static func desired(managementPorts: [Int] = [5420]) throws -> UfwRuleset {
        try UfwRuleset(
            firewallName: "pi",
            firewall: FirewallSpec(backend: .ufw, defaultInput: .drop, managementPorts: managementPorts),
            rules: [
                "web": FirewallRuleSpec(
                    action: .accept, ports: [PortRange(8080, 8080)], from: [UfwNamespace.peerNetwork],
                    comment: "the GUI")
            ],
            ports: ["api": PortSpec(port: 9000, address: "0.0.0.0", exposeFrom: [UfwNamespace.peerNetwork])])
    }

    /// Observes, plans, applies and verifies; returns the plan that was applied.
    @discardableResult
    static func converge(_ desired: UfwRuleset, in namespace: UfwNamespace) async throws -> UfwPlan {
        let plan = desired.plan(from: try await namespace.backend.observe())
        try await namespace.backend.apply(plan)
        try await namespace.backend.verify(desired)
        return plan
    }

    @Test func convergesADefaultDenyFirewallThatRealTCPObeys() async throws {
        let host = try HostFirewallState.capture()
        let namespace = try UfwNamespace()
        // Whatever the host's /etc/default/ufw says (the private copy starts from it).
        _ = try await namespace.ufw("default", "allow", "incoming")
        let listener = try await namespace.listen(on: [5420, 9000, 8080, 7000], quitPort: 5999)
        #expect(try await namespace.reachable([5420, 7000]) == [5420: "open", 7000: "open"])

        let plan = try await Self.converge(try Self.desired(), in: namespace)

        #expect(
            plan.lines == [
                "+ allow 5420/tcp (Firewall/pi:management)",
                "+ allow 8080/tcp from 10.213.0.0/24 (FirewallRule/web)",
                "+ allow 9000/tcp from 10.213.0.0/24 (Port/api)",
                "~ default incoming allow -> deny",
                "~ ufw inactive -> active",
            ])
        #expect(
            try await namespace.reachable([5420, 9000, 8080, 7000])
                == [5420: "open", 9000: "open", 8080: "open", 7000: "closed"])
        #expect(try Self.desired().plan(from: try await namespace.backend.observe()).isEmpty)

        // By hand: a rule of someone else's, and chainbot's 9000 rule turned into a deny (ufw drops its comment).
        _ = try await namespace.ufw("allow", "7000/tcp")
        _ = try await namespace.ufw(
            "deny", "proto", "tcp", "from", UfwNamespace.peerNetwork, "to", "any", "port", "9000")
        #expect(try await namespace.reachable([9000, 7000]) == [9000: "closed", 7000: "open"])

        let fix = try await Self.converge(try Self.desired(), in: namespace)

        #expect(
            fix.lines == [
                "- deny 9000/tcp from 10.213.0.0/24 (added by hand, in the way of Port/api)",
                "+ allow 9000/tcp from 10.213.0.0/24 (Port/api)",
            ])
        #expect(fix.foreign == ["allow 7000/tcp (added by hand)"])
        let observed = try await namespace.backend.observe()
        #expect(observed.foreign.map(\.description) == ["allow 7000/tcp"])
        // The peer's SYNs to 9000 were dropped a moment ago; on a loaded machine give the fixed rules a few
        // tries before calling a port closed, and say which one was.
        var reached: [Int: String] = [:]
        let open = try await Poll.within(.seconds(120)) {
            reached = try await namespace.reachable([5420, 9000, 7000])
            return reached == [5420: "open", 9000: "open", 7000: "open"]
        }
        #expect(open, "reachable after the fix: \(reached)")

        try await namespace.stopListening(listener, quitPort: 5999)
        #expect(try HostFirewallState.capture() == host)
    }

    @Test func restoresTheRulesAndPolicyOfASnapshotAfterAnApply() async throws {
        let host = try HostFirewallState.capture()
        let namespace = try UfwNamespace()
        _ = try await namespace.ufw("allow", "22/tcp")
        try await Self.converge(try Self.desired(managementPorts: [5421]), in: namespace)
        let before = try await namespace.backend.observe()
        let snapshot = try await namespace.backend.snapshot()

        try await Self.converge(try Self.desired(), in: namespace)
        _ = try await namespace.ufw("default", "allow", "incoming")
        #expect(try await namespace.backend.observe() != before)
        let listener = try await namespace.listen(on: [5420, 5421], quitPort: 5999)
        #expect(try await namespace.reachable([5420, 5421]) == [5420: "open", 5421: "open"])
        try await namespace.backend.restore(snapshot)

        #expect(try await namespace.backend.observe() == before)
        #expect(try await namespace.backend.snapshot() == snapshot)
        // The running firewall was reloaded too, not just the files: default deny again, only 5421 allowed.
        #expect(try await namespace.reachable([5420, 5421]) == [5420: "closed", 5421: "open"])
        try await namespace.stopListening(listener, quitPort: 5999)
        #expect(try HostFirewallState.capture() == host)
    }

    @Test func restoresAnInactiveUfwToInactive() async throws {
        let namespace = try UfwNamespace()
        let before = try await namespace.backend.observe()
        let snapshot = try await namespace.backend.snapshot()
        #expect(before.active == false)

        try await Self.converge(try Self.desired(), in: namespace)
        try await namespace.backend.restore(snapshot)

        #expect(try await namespace.backend.observe() == before)
    }
}
