import ChainbotCore
import ChainbotManifest

/// `chainbot explain KIND[.field]`: schema documentation from the schema the validator uses.
enum ExplainCommand {
    static let name = "explain"
    static let summary = "document a manifest kind, a field, or a diagnostic code"
    static let usage = "chainbot explain [KIND[.field[.field]] | CODE]"
    static let help = """
        Prints the schema of a kind (its fields, types, defaults and meaning) from the same schema
        `chainbot validate` checks against. `chainbot explain Service.healthCheck` narrows to one field;
        `chainbot explain metadata` shows the fields every kind shares (`metadata.hostSelector` picks the
        hosts of a fleet), `chainbot explain Fleet` the fleet's inventory; `chainbot explain unknown-field`
        says what a diagnostic code means. Without an argument, lists the kinds.
        """

    static let command = Command(name: name, summary: summary, usage: usage, help: help, run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let topic = arguments.positional.first else {
            context.stdout.write(SchemaDocs.kindList())
            return .success
        }
        return explain(topic, context)
    }

    static func explain(_ topic: String, _ context: CommandContext) -> ExitCode {
        if let code = DiagnosticCode(rawValue: topic) {
            context.stdout.write("\(code.rawValue): \(code.summary)\n")
            return .success
        }
        let parts = topic.split(separator: ".").map(String.init)
        guard let head = parts.first else { return .usage }
        guard let found = Self.schema(of: head) else {
            let hint = Suggestion.closest(to: head, in: Self.topics).map { " Did you mean '\($0)'?" } ?? ""
            context.stderr.write("chainbot explain: '\(head)' is not a kind or a diagnostic code.\(hint)\n")
            context.stderr.write(SchemaDocs.kindList())
            return .usage
        }
        let schema = found.schema
        var title = found.title
        var intro = found.intro
        var current = schema
        var field: FieldSchema?
        for name in parts.dropFirst() {
            guard let next = current.field(name) else {
                let hint =
                    Suggestion.closest(to: name, in: current.fields.map(\.name)).map { " Did you mean '\($0)'?" } ?? ""
                context.stderr.write("chainbot explain: \(title) has no field '\(name)'.\(hint)\n")
                return .usage
            }
            field = next
            title += "." + name
            if case .object(let nested) = Self.innermost(next.type) { current = nested }
        }
        if let field {
            intro = field.doc
            context.stdout.write(SchemaDocs.field(field, path: title, intro: intro, nested: current))
        } else {
            context.stdout.write(SchemaDocs.object(schema, title: title, intro: intro))
        }
        return .success
    }

    /// What `explain` documents besides diagnostic codes: the kinds, `metadata` and the `Fleet` inventory.
    static let topics = Kind.allCases.map(\.rawValue) + ["metadata", FleetInventory.kind]

    /// The schema the first word of a topic names (any case), with its title and introduction.
    static func schema(of head: String) -> (schema: ObjectSchema, title: String, intro: String)? {
        if head.lowercased() == FleetInventory.kind.lowercased() {
            return (
                FleetInventory.spec, FleetInventory.kind,
                FleetInventory.summary
                    + " A document `kind: Fleet` (metadata.name, spec.hosts) anywhere in the manifests, by convention"
                    + " fleet.yaml; `chainbot validate` then checks the selected set of every listed host. See docs/fleet.md."
            )
        }
        if head.lowercased() == "metadata" {
            return (ManifestSchema.metadata, "metadata", "Fields every kind shares under metadata.")
        }
        guard let kind = Kind.allCases.first(where: { $0.rawValue.lowercased() == head.lowercased() }) else {
            return nil
        }
        return (ManifestSchema.spec(for: kind), kind.rawValue, ManifestSchema.summary(of: kind))
    }

    /// The object schema inside lists and maps, if any.
    static func innermost(_ type: FieldType) -> FieldType {
        switch type {
        case .list(let item), .oneOrMany(let item): innermost(item)
        case .map(_, let value): innermost(value)
        default: type
        }
    }
}
