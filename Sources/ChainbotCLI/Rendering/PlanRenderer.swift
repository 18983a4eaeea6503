import ChainbotCore
import ChainbotEngine

/// Shows a plan to people (what will change, resource by resource) and to programs (`-o json`).
struct PlanRenderer {
    var colored: Bool
    /// True under `--root`: kinds without an offline provider exist only on a live host.
    var offline = false

    func text(_ prepared: PreparedRun) -> String {
        var out = ""
        let plan = prepared.plan
        for resource in plan.resources
        where resource.action != .unchanged || resource.held != nil || !resource.notes.isEmpty
            || !resource.unobserved.isEmpty
        {
            out += header(resource) + "\n"
            for change in resource.changes {
                out += self.change(change)
            }
            let steps = resource.steps.map { plan.steps[$0] }
            if !steps.isEmpty {
                out +=
                    "    " + style("steps:", "2") + " " + steps.map(\.action.description).joined(separator: "; ") + "\n"
            }
            for note in resource.notes { out += "    " + style("note:", "1;36") + " " + note + "\n" }
            for (facet, why) in resource.unobserved.sorted(by: { $0.key < $1.key }) {
                out += "    " + style("not compared:", "1;36") + " \(facet): \(why)\n"
            }
        }
        // One error per cause: a provider that cannot observe fails all its resources the same way.
        var groups: [(error: ProviderError, ids: [ResourceID])] = []
        for failure in prepared.failures {
            if let index = groups.firstIndex(where: { $0.error == failure.error }) {
                groups[index].ids.append(failure.id)
            } else {
                groups.append((failure.error, [failure.id]))
            }
        }
        for group in groups {
            let names = group.ids.map(\.description).joined(separator: ", ")
            out += style("! \(names): cannot plan", "1;31") + "\n" + indent(group.error.description, by: 4) + "\n"
        }
        out += summary(prepared) + "\n"
        out += unknownHealthNotes(plan)
        if !prepared.unmanaged.isEmpty {
            var counts: [Kind: Int] = [:]
            for id in prepared.unmanaged { counts[id.kind, default: 0] += 1 }
            let kinds = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }.joined(
                separator: ", ")
            let why =
                offline
                ? "not compared offline (--root; they exist only on a live host)"
                : "not compared (this build does not manage these kinds yet)"
            out += style("note:", "1;36") + " \(why): \(kinds)\n"
        }
        return out
    }

    /// One note per health and reason for resources that are not healthy though present: Unknown (no
    /// ALEX OS configured, say) or Degraded (a Pi running hot, a port held by another program).
    private func unknownHealthNotes(_ plan: Plan) -> String {
        var groups: [(health: Health, reason: String, ids: [ResourceID])] = []
        for resource in plan.resources where resource.health == .unknown || resource.health == .degraded {
            guard let reason = resource.healthReason else { continue }
            if let index = groups.firstIndex(where: { $0.reason == reason && $0.health == resource.health }) {
                groups[index].ids.append(resource.id)
            } else {
                groups.append((resource.health, reason, [resource.id]))
            }
        }
        return groups.map {
            style("note:", "1;36") + " health \($0.health.rawValue) for "
                + $0.ids.map(\.description).joined(separator: ", ") + ": " + $0.reason + "\n"
        }.joined()
    }

    private func header(_ resource: ResourcePlan) -> String {
        if resource.action == .unchanged, resource.held == nil, !resource.unobserved.isEmpty {
            return style("? \(resource.id)", "1;36") + " could not be compared in full (sync Unknown)"
        }
        if let held = resource.held {
            let drift =
                resource.changes.isEmpty ? "" : resource.action == .prune ? ", left the manifests" : ", has drifted"
            return style("‖ \(resource.id)", "1;35") + " is held (\(held)\(drift)): reported, not changed"
        }
        switch resource.action {
        case .create: return style("+ \(resource.id)", "1;32") + " will be created"
        case .update: return style("~ \(resource.id)", "1;33") + " will be updated"
        case .prune:
            return style("- \(resource.id)", "1;31")
                + (resource.deferred ? " left the manifests (apply --prune removes it)" : " will be pruned")
        case .forget:
            return style("- \(resource.id)", "1;31")
                + " left the manifests; chainbot did not create it, so it stays on the host"
        case .warn: return style("! \(resource.id)", "1;35") + " has drifted (drift policy warn: reported, not changed)"
        case .unchanged: return "  \(resource.id) unchanged"
        }
    }

    private func change(_ change: FieldChange) -> String {
        textDiff(change) ?? "    \(change.facet): \(change.from) → \(change.to)\n"
    }

    private func textDiff(_ change: FieldChange) -> String? {
        guard let texts = change.texts else { return nil }
        var out = "    \(change.facet):\n"
        for line in UnifiedDiff.lines(from: texts.old, to: texts.new) {
            let colour = line.hasPrefix("+") ? "32" : line.hasPrefix("-") ? "31" : line.hasPrefix("@@") ? "36" : ""
            out += "      " + (colour.isEmpty ? line : style(line, colour)) + "\n"
        }
        return out
    }

    func summary(_ prepared: PreparedRun) -> String {
        let plan = prepared.plan
        var counts: [(String, Int)] = [
            ("to create", plan.resources.count { $0.action == .create }),
            ("to update", plan.resources.count { $0.action == .update }),
            ("to prune", plan.resources.count { ($0.action == .prune && !$0.deferred) || $0.action == .forget }),
            ("left the manifests", plan.resources.count { $0.action == .prune && $0.deferred && $0.held == nil }),
            ("drifted (warn)", plan.resources.count { $0.action == .warn && $0.held == nil }),
            ("held", plan.resources.count { $0.held != nil }),
            (
                "not compared in full",
                plan.resources.count { $0.action == .unchanged && $0.held == nil && !$0.unobserved.isEmpty }
            ),
            (
                "unchanged",
                plan.resources.count { $0.action == .unchanged && $0.held == nil && $0.unobserved.isEmpty }
            ),
            ("cannot be planned", prepared.failures.count),
        ]
        counts.removeAll { $0.1 == 0 && $0.0 != "unchanged" }
        return counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "."
    }

    /// The plan as a `-o json` document (docs/schemas/diff.schema.json): `schemaVersion` and `members`.
    func json(_ prepared: PreparedRun, generation: String) -> JSONValue {
        JSONDocument.document(members(prepared, generation: generation))
    }

    /// The plan's action for a resource; `notCompared` for one that would be `unchanged` but could not be
    /// compared in full (an Agent with no ALEX OS configured, say): its sync is Unknown, not Synced.
    static func action(_ resource: ResourcePlan) -> String {
        resource.action == .unchanged && resource.held == nil && !resource.unobserved.isEmpty
            ? "notCompared" : resource.action.rawValue
    }

    /// The plan's members: resources with their changes and steps, the steps, failures and unmanaged resources.
    func members(_ prepared: PreparedRun, generation: String) -> [(String, JSONValue)] {
        let plan = prepared.plan
        let resources = plan.resources.map { resource -> JSONValue in
            .object(
                JSONDocument.resource(resource.id) + [
                    ("action", .string(Self.action(resource))), ("deferred", .bool(resource.deferred)),
                    ("health", .string(resource.health.rawValue)),
                    ("healthReason", resource.healthReason.map(JSONValue.string) ?? .null),
                    ("changes", .array(resource.changes.map(Self.json))),
                    ("steps", .array(resource.steps.map { .int($0) })),
                    ("held", resource.held.map(JSONValue.string) ?? .null),
                    ("notes", .array(resource.notes.map(JSONValue.string))),
                    (
                        "unobserved",
                        .object(
                            resource.unobserved.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
                    ),
                ])
        }
        let steps = plan.steps.map { step -> JSONValue in
            .object(
                [("index", .int(step.index))] + JSONDocument.resource(step.resource) + [
                    ("action", .string(step.action.description)),
                    ("requires", .array(step.requires.map { .int($0) })), ("reason", .string(step.reason)),
                ])
        }
        let failures = prepared.failures.map { failure -> JSONValue in
            .object(JSONDocument.resource(failure.id) + [("error", .string(failure.error.description))])
        }
        return [
            ("generation", .string(generation)), ("changed", .bool(!plan.isEmpty)), ("resources", .array(resources)),
            ("steps", .array(steps)), ("failures", .array(failures)),
            ("unmanaged", .array(prepared.unmanaged.map { .string($0.description) })),
        ]
    }

    static func json(_ change: FieldChange) -> JSONValue {
        .object([("field", .string(change.facet)), ("from", json(change.from)), ("to", json(change.to))])
    }

    static func json(_ value: FacetValue) -> JSONValue {
        switch value {
        case .absent: .null
        case .text(let text): .string(text)
        case .word(let word): .string(word)
        case .secret(let digest): .string(digest)
        }
    }

    func style(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }
}
