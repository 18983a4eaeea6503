import ChainbotCore

/// Runs the real `ufw` (through the command runner, argv only) to observe UFW, apply a `UfwPlan`, take and
/// restore snapshots for confirm-or-revert, and verify the result.
///
/// A Firewall provider with `backend: ufw` uses it like this:
/// ```swift
/// let backend = UfwBackend(runner: runner)
/// let desired = try UfwRuleset(firewallName: "pi", firewall: spec, rules: rules, ports: ports)
/// let plan = desired.plan(from: try await backend.observe())     // plan.lines is the diff
/// let snapshot = try await backend.snapshot()
/// try await backend.apply(plan)
/// do { try await backend.verify(desired) } catch { try await backend.restore(snapshot); throw error }
/// ```
/// Every failure is a `ProviderError` naming the exact ufw command and quoting its output.
public struct UfwBackend: Sendable {
    /// The rule files ufw loads its user rules from (IPv4 and dual-stack, IPv6).
    public static let ruleFiles = ["/etc/ufw/user.rules", "/etc/ufw/user6.rules"]
    /// The file holding the default policies when ufw is inactive.
    public static let defaultsFile = "/etc/default/ufw"
    /// How long one ufw command may run (`ufw reload` takes about 2 s).
    public static let timeout: Duration = .seconds(60)

    let runner: any CommandRunner
    let prefix: [String]

    /// - Parameters:
    ///   - runner: runs every command.
    ///   - prefix: argv put before every command (`ufw …`, and the `cat`/`dd` that read and write the rule
    ///     files), e.g. `["contrib/testbed/ufw-netns.sh", "exec", "NS"]` to run in a test namespace with
    ///     private UFW state; empty on a real host.
    public init(runner: any CommandRunner, prefix: [String] = []) {
        self.runner = runner
        self.prefix = prefix
    }

    /// Reads `ufw status verbose` and `ufw show added` (and `/etc/default/ufw` when ufw is inactive, as its
    /// status then shows no policy).
    public func observe() async throws(ProviderError) -> ObservedUfw {
        let status = try await parsed(try await ufw(["status", "verbose"]), from: ["status", "verbose"]) {
            (text) throws(UfwParseError) in try UfwOutputParser.status(text)
        }
        let rules = try await parsed(try await ufw(["show", "added"]), from: ["show", "added"]) {
            (text) throws(UfwParseError) in try UfwOutputParser.showAdded(text)
        }
        var policy = status.policy
        if policy == nil {
            let text = String(decoding: try await read(Self.defaultsFile), as: UTF8.self)
            do {
                policy = try UfwOutputParser.defaultInputPolicy(text)
            } catch {
                throw ProviderError("cannot read the default incoming policy: \(error)")
            }
        }
        return ObservedUfw(active: status.active, policy: policy ?? .deny, rules: rules)
    }

    /// Runs the plan's commands in order; stops at the first that fails, saying how many ran before it.
    ///
    /// ufw exits 0 from some commands that change nothing ("Could not delete non-existent rule"), so call
    /// `verify` afterwards: it re-reads UFW and compares.
    public func apply(_ plan: UfwPlan) async throws(ProviderError) {
        for (number, step) in plan.steps.enumerated() {
            do {
                try await ufw(step.arguments)
            } catch {
                var failure = error
                failure.detail +=
                    (failure.detail.isEmpty ? "" : "\n")
                    + "step \(number + 1) of \(plan.steps.count) (\(step.line)); the steps before it were applied"
                throw failure
            }
        }
    }

    /// Re-reads UFW and throws unless it is as `desired` (no step left to plan), enabled, and each management
    /// port's first matching rule is chainbot's allow.
    public func verify(_ desired: UfwRuleset) async throws(ProviderError) {
        let observed = try await observe()
        let plan = desired.plan(from: observed)
        if !plan.isEmpty {
            throw ProviderError(
                "ufw does not hold the desired rules", detail: plan.lines.joined(separator: "\n"), retryable: true)
        }
        let problems = desired.managementProblems(in: observed)
        if !problems.isEmpty {
            throw ProviderError(
                "ufw does not allow the management ports", detail: problems.joined(separator: "\n"), retryable: true)
        }
    }
}
