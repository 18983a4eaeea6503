import ChainbotCore
import ChainbotTestSupport
import ChainbotYAML
import Testing

@testable import ChainbotCLI

/// `chainbot get -o yaml` is the document `get -o json` prints, in YAML (DESIGN.md, issue 18).
struct GetYAMLTests {
    /// The JSON a YAML node means under the core schema.
    static func json(_ node: Node) -> JSONValue {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .int(let value): return .int(value)
            case .float(let value): return .double(value)
            case .string(let text): return .string(text)
            }
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let pairs):
            return .object(
                pairs.map { pair in
                    guard case .scalar(let key) = pair.key.content else { return ("?", json(pair.value)) }
                    return (key.text, json(pair.value))
                })
        }
    }

    @Test func getInYAMLParsesBackToTheSameDocumentAsJSON() async throws {
        let work = TemporaryDirectory("chainbot-get-yaml")
        work.write("image/etc/.keep", "")
        let manifests = work.write(
            "manifests/motd.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: motd}
            spec: {path: /etc/motd, content: "true\\n"}
            """)
        let image = work.file("image")
        let applied = await CLIHarness.run(["apply", "--root", image, "-f", manifests], environment: ["NO_COLOR": "1"])
        try #require(applied.status == 0, "\(applied.stderr)")

        let json = await CLIHarness.run(["get", "ConfigFile/motd", "--root", image, "-o", "json"])
        let yaml = await CLIHarness.run(["get", "ConfigFile/motd", "--root", image, "-o", "yaml"])

        #expect(yaml.status == 0, "\(yaml.stderr)")
        let stream = YAMLParser.parse(Array(yaml.stdout.utf8))
        #expect(stream.problems.isEmpty, "\(stream.problems)")
        let document = try #require(stream.documents.first, "\(yaml.stdout)")
        #expect(stream.documents.count == 1)
        #expect(Self.json(document) == (try JSONValue(parsing: json.stdout)), "\(yaml.stdout)")
        #expect(!yaml.stdout.hasPrefix("{"))
    }
}
