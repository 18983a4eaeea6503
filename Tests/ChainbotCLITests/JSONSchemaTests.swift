import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// Every `-o json` document is what its file in docs/schemas says (issue 18): each command's real output,
/// from the real state file of a real offline apply, checked against its schema; the schemas themselves
/// parse, cover every command that takes `-o`, and reject a document with a member missing or misspelled.
struct JSONSchemaTests {
    static let directory = Fixtures.path("docs/schemas")

    /// The schema files, parsed.
    static func validator() throws -> JSONSchemaValidator {
        var files: [String: JSONValue] = [:]
        for name in Fixtures.list(directory) where name.hasSuffix(".schema.json") {
            let text = try #require(Fixtures.readText(directory + "/" + name), "\(name) cannot be read")
            files[name] = try JSONValue(parsing: text)
        }
        return JSONSchemaValidator(files: files)
    }

    /// Two files applied offline into an image (so the state file has a revision, statuses and events),
    /// then one edited by hand, so that `diff` and `apply` have a change to show.
    struct World {
        let work: TemporaryDirectory
        let root: String
        let manifests: String
        /// `apply -o json` of the first run, which created both files.
        let firstApply: CLIRun

        init() async {
            work = TemporaryDirectory("chainbot-schema")
            root = work.file("image")
            mkdir(root, 0o755)
            manifests = work.write(
                "manifests/files.yaml",
                """
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: motd}
                spec: {path: /etc/motd, content: "hello\\n"}
                ---
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: app-env}
                spec:
                  path: /etc/app/app.env
                  mode: "0640"
                  env: {PORT: 8090}

                """)
            firstApply = await CLIHarness.run(["apply", "-o", "json", "-f", manifests, "--root", root])
            _ = work.write("image/etc/motd", "edited by hand\n")
        }

        /// `arguments` with `$ROOT`, `$MANIFESTS` and `$WORK` replaced.
        func expand(_ arguments: [String]) -> [String] {
            arguments.map {
                $0.replacing("$ROOT", with: root).replacing("$MANIFESTS", with: manifests).replacing(
                    "$WORK", with: work.path)
            }
        }
    }

    /// One command line and the schema its stdout must match.
    struct Case: Sendable, CustomTestStringConvertible {
        var schema: String
        var arguments: [String]
        var testDescription: String { arguments.prefix(4).joined(separator: " ") + " → " + schema }
    }

    static let offline = ["-f", "$MANIFESTS", "--root", "$ROOT"]
    static let cases: [Case] =
        [
            Case(schema: "validate.schema.json", arguments: ["validate", "-o", "json", "$MANIFESTS"]),
            Case(schema: "validate.schema.json", arguments: ["validate", "--hosts", "-o", "json", "$MANIFESTS"]),
            Case(
                schema: "validate.schema.json",
                arguments: ["validate", "-o", "json", Fixtures.path("fixtures/manifests/invalid/unknown-field")]),
            Case(schema: "diff.schema.json", arguments: ["diff", "-o", "json"] + offline),
            Case(schema: "apply.schema.json", arguments: ["apply", "-o", "json"] + offline),
            Case(schema: "apply.schema.json", arguments: ["apply", "--dry-run", "-o", "json"] + offline),
            Case(
                schema: "rollback.schema.json",
                arguments: ["rollback", "1", "-o", "json", "--no-pin", "--root", "$ROOT"]),
            Case(
                schema: "rollback.schema.json",
                arguments: ["rollback", "1", "--dry-run", "-o", "json", "--root", "$ROOT"]),
            Case(schema: "history.schema.json", arguments: ["history", "-o", "json", "--root", "$ROOT"]),
            Case(schema: "history-revision.schema.json", arguments: ["history", "1", "-o", "json", "--root", "$ROOT"]),
            Case(schema: "status.schema.json", arguments: ["status", "-o", "json", "--root", "$ROOT"]),
            Case(schema: "get.schema.json", arguments: ["get", "ConfigFile/motd", "-o", "json", "--root", "$ROOT"]),
            Case(schema: "events.schema.json", arguments: ["events", "-o", "json", "--root", "$ROOT"]),
        ]
        + ["status", "events", "history"].map {
            Case(schema: "state-file-missing.schema.json", arguments: [$0, "-o", "json", "--state", "$WORK/none.db"])
        } + [
            Case(
                schema: "state-file-missing.schema.json",
                arguments: ["get", "ConfigFile/motd", "-o", "json", "--state", "$WORK/none.db"])
        ]

    @Test(arguments: cases) func eachCommandsJSONMatchesItsSchema(_ testCase: Case) async throws {
        let world = await World()
        #expect(world.firstApply.status == 0, "\(world.firstApply.stderr)")
        let run = await CLIHarness.run(world.expand(testCase.arguments))

        let document = try JSONValue(parsing: run.stdout)
        let problems = try Self.validator().problems(document, against: testCase.schema)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(run.stdout)\n\(run.stderr)")
        #expect(document["schemaVersion"]?.int == 1)
    }

    @Test func theApplyThatCreatesMatchesTheApplySchema() async throws {
        let world = await World()
        let document = try JSONValue(parsing: world.firstApply.stdout)
        let problems = try Self.validator().problems(document, against: "apply.schema.json")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(world.firstApply.stdout)")
        #expect(document["results"]?.array?.isEmpty == false, "the first apply ran steps")
        #expect(document["plan"]?["resources"]?.array?.first?["resource"]?.string == "ConfigFile/app-env")
    }

    @Test func eachLineOfEventsWatchIsADocumentMatchingItsSchema() async throws {
        let world = await World()
        let stdout = OutputSink.buffer()
        let watcher = Task {
            await ChainbotCLI.run(
                ["events", "--watch", "-o", "json", "--root", world.root],
                context: CommandContext(stdout: stdout, stderr: .buffer(), environment: [:]))
        }
        defer { watcher.cancel() }
        let printed = try await Poll.within(.seconds(120)) { stdout.text.contains("\n") }
        #expect(printed, "events --watch printed nothing")
        let validator = try Self.validator()
        let lines = stdout.text.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let document = try JSONValue(parsing: String(line))
            let problems = validator.problems(document, against: "events-watch.schema.json")
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(line)")
        }
    }

    @Test func theValidatorRejectsAMemberMissingMisspelledOrOfTheWrongShape() async throws {
        let world = await World()
        let run = await CLIHarness.run(["status", "-o", "json", "--root", world.root])
        let document = try JSONValue(parsing: run.stdout)
        let validator = try Self.validator()
        #expect(validator.problems(document, against: "status.schema.json").isEmpty, "\(run.stdout)")

        let mutations: [(what: String, document: JSONValue, expected: String)] = [
            ("no schemaVersion", document.removing(["schemaVersion"]), "required member \"schemaVersion\""),
            ("health misspelled", document.renaming(["resources", "0", "health"], to: "helth"), "\"helth\""),
            ("health missing", document.removing(["resources", "0", "health"]), "/resources/0: required member"),
            ("sync not a value", document.replacing(["resources", "0", "sync"], with: .string("synced")), "/sync"),
            (
                "a resource badly spelled", document.replacing(["events", "0", "resource"], with: .string("motd")),
                "match"
            ),
            ("a count as text", document.replacing(["counts", "total"], with: .string("2")), "/counts/total"),
            ("an extra member", document.adding("regarding", .string("ConfigFile/motd")), "\"regarding\""),
            ("the events as a bare array", document["events"] ?? .null, "is not of type"),
        ]
        for mutation in mutations {
            let problems = validator.problems(mutation.document, against: "status.schema.json")
            #expect(
                problems.contains { $0.contains(mutation.expected) },
                "\(mutation.what): \(problems.isEmpty ? "accepted" : problems.joined(separator: "\n"))")
        }
    }

    @Test func statusHasWhatTheAgentsStatusAPIHas() async throws {
        let world = await World()
        let statePath = world.root + "/var/lib/chainbot/state.db"
        let store = try SQLiteStateStore.openReadOnly(path: statePath)
        let server = try AgentEndpoint(store: store, statePath: statePath, metrics: AgentMetrics(), token: nil).start(
            host: "127.0.0.1", port: 0)
        defer { Task { await server.stop() } }
        let response = try await HTTPClient().send(HTTPRequest(method: .get, url: server.baseURL + "/api/v1/status"))
        let api = try JSONValue(parsing: response.text)
        let run = await CLIHarness.run(["status", "-o", "json", "--root", world.root])
        let status = try JSONValue(parsing: run.stdout)

        let statusMembers = Set((status.object ?? []).map(\.0))
        for (name, _) in try #require(api.object) {
            #expect(statusMembers.contains(name), "/api/v1/status has \(name); status -o json does not")
        }
        #expect(Self.names(status["agent"]) == Self.names(api["agent"]))
        #expect(status["counts"] == api["counts"])
        let apiResources = try #require(api["resources"]?.array)
        #expect(
            apiResources.map { $0["resource"] ?? .null } == status["resources"]?.array?.map { $0["resource"] ?? .null })
        let apiEvents = try #require(api["events"]?.array)
        #expect(!apiEvents.isEmpty)
        #expect(apiEvents.map { $0["id"] } == status["events"]?.array?.map { $0["id"] })
    }

    @Test func theSchemaFilesParseUseOnlyKnownKeywordsAndTheirReferencesResolve() throws {
        let validator = try Self.validator()
        #expect(validator.files.count >= 12, "\(validator.files.keys.sorted())")
        #expect(validator.unknownKeywords().isEmpty, "\(validator.unknownKeywords())")
        #expect(validator.brokenReferences().isEmpty, "\(validator.brokenReferences())")
        for (name, schema) in validator.files {
            #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema", "\(name)")
        }
    }

    @Test func everyCommandThatTakesOutputHasASchemaThatRequiresSchemaVersion() throws {
        let validator = try Self.validator()
        // `agent` shares the engine's options, -o among them, but prints no document.
        let documented = ChainbotCLI.commands.filter { $0.valued["-o"] != nil && $0.name != "agent" }.map(\.name)
        #expect(Set(documented) == ["validate", "diff", "apply", "rollback", "history", "events", "status", "get"])
        for name in documented {
            #expect(validator.files["\(name).schema.json"] != nil, "no docs/schemas/\(name).schema.json")
        }
        for (name, schema) in validator.files where name != "common.schema.json" {
            let branches = schema["oneOf"]?.array ?? [schema]
            for branch in branches where branch["$ref"] == nil {
                let required = branch["required"]?.array?.compactMap(\.string) ?? []
                #expect(required.first == "schemaVersion", "\(name) does not require schemaVersion first")
            }
        }
    }

    @Test func theSchemasEnumsListEveryValueTheCodeHas() throws {
        let common = try #require(try Self.validator().files["common.schema.json"]?["$defs"])
        func values(_ name: String) -> [String] { common[name]?["enum"]?.array?.compactMap(\.string) ?? [] }
        #expect(values("kind") == Kind.allCases.map(\.rawValue))
        // Events also regard the agent itself (its health report) and the manifest set.
        #expect(values("eventKind") == Kind.allCases.map(\.rawValue) + ["Chainbot", "Manifests"])
        #expect(values("sync") == ResourceStatus.Sync.allCases.map(\.rawValue))
        #expect(values("health") == Health.allCases.map(\.rawValue))
        #expect(values("revisionOutcome") == Revision.Outcome.allCases.map(\.rawValue))
        let eventTypes = common["event"]?["properties"]?["type"]?["enum"]?.array?.compactMap(\.string)
        #expect(eventTypes == Event.EventType.allCases.map(\.rawValue))
        let stepOutcomes = common["revisionStep"]?["properties"]?["outcome"]?["enum"]?.array?.compactMap(\.string)
        #expect(stepOutcomes == RevisionStep.Outcome.allCases.map(\.rawValue))
    }

    static func names(_ value: JSONValue?) -> [String] { (value?.object ?? []).map(\.0) }
}

extension JSONValue {
    /// This document with the member at `path` (object keys, array indexes as text) changed by `change`.
    fileprivate func editing(_ path: [String], _ change: ([(String, JSONValue)]) -> [(String, JSONValue)]) -> JSONValue
    {
        guard let key = path.first else { return self }
        switch self {
        case .object(let members) where path.count == 1: return .object(change(members))
        case .object(let members):
            return .object(members.map { $0.0 == key ? ($0.0, $0.1.editing(Array(path.dropFirst()), change)) : $0 })
        case .array(let items):
            guard let index = Int(key), items.indices.contains(index) else { return self }
            var edited = items
            edited[index] = items[index].editing(Array(path.dropFirst()), change)
            return .array(edited)
        default: return self
        }
    }

    fileprivate func removing(_ path: [String]) -> JSONValue {
        editing(path) { members in members.filter { $0.0 != path.last } }
    }

    fileprivate func renaming(_ path: [String], to name: String) -> JSONValue {
        editing(path) { members in members.map { $0.0 == path.last ? (name, $0.1) : $0 } }
    }

    fileprivate func replacing(_ path: [String], with value: JSONValue) -> JSONValue {
        editing(path) { members in members.map { $0.0 == path.last ? ($0.0, value) : $0 } }
    }

    fileprivate func adding(_ name: String, _ value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members + [(name, value)])
    }
}
