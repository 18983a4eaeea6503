import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// The targets file edited by byte range: chainbot's entries change, everything else stays byte for byte.
@Suite struct TargetsFileTests {
    static let path = "/opt/alexos/watchtower/targets.yaml"
    static let shared = String(
        decoding: Fixtures.read(Fixtures.path("fixtures/watchtower/targets-shared.yaml")) ?? [], as: UTF8.self)

    /// The chainbot entry of the fixture, exactly as written there.
    static let chainbotEntry = """
            - name: chainbot-api
              type: http
              target: http://127.0.0.1:9000/health
              managed_by: chainbot
              severity: error

        """

    static func entry(_ name: String, _ spec: WatchtowerTargetSpec) -> (name: String, value: EntryValue) {
        (name, TargetEntry.value(name: name, spec: spec))
    }

    static let api = entry("chainbot-api", WatchtowerTargetSpec(type: .http, target: "http://127.0.0.1:9000/health"))
    static let api2 = entry(
        "chainbot-api",
        WatchtowerTargetSpec(
            type: .http, target: "http://127.0.0.1:9000/health", interval: .seconds(10), expectJSONStatus: "ok"))
    static let port = entry("sim-port", WatchtowerTargetSpec(type: .tcp, target: "127.0.0.1:5000", severity: .critical))

    func render(
        _ text: String, _ desired: [(name: String, value: EntryValue)], removing: Set<String> = []
    ) throws -> String {
        let file = try TargetsFile(path: Self.path, bytes: Array(text.utf8))
        return String(decoding: try file.rendering(desired, removing: removing), as: UTF8.self)
    }

    @Test func fixtureHasTheChainbotEntryAsWritten() {
        #expect(Self.shared.contains(Self.chainbotEntry))
    }

    @Test func readsChainbotEntriesByNameAndLeavesOthersForeign() throws {
        let file = try TargetsFile(path: Self.path, bytes: Array(Self.shared.utf8))
        #expect(file.entries.count == 4)
        #expect(file.entries.map(\.managedName) == [nil, nil, "chainbot-api", nil])
        #expect(Array(file.managed.keys) == ["chainbot-api"])
    }

    @Test func renderingTheSameValuesChangesNoByte() throws {
        let file = try TargetsFile(path: Self.path, bytes: Array(Self.shared.utf8))
        let current = try #require(file.managed["chainbot-api"]).value
        #expect(try render(Self.shared, [("chainbot-api", current)]) == Self.shared)
    }

    @Test func changingAnEntryReplacesOnlyItsLines() throws {
        let changed = try render(Self.shared, [Self.api2])
        let expected = Self.shared.replacing(
            Self.chainbotEntry,
            with: """
                    - name: chainbot-api
                      type: http
                      target: http://127.0.0.1:9000/health
                      interval: 10s
                      timeout: 5s
                      failure_threshold: 3
                      recovery_threshold: 1
                      expect_status: 200
                      expect_json_status: ok
                      severity: warning
                      managed_by: chainbot

                """)
        #expect(changed == expected)
    }

    @Test func addingAnEntryAppendsItAfterTheLastItem() throws {
        let current = try TargetsFile(path: Self.path, bytes: Array(Self.shared.utf8))
        let keep = ("chainbot-api", try #require(current.managed["chainbot-api"]).value)
        let added = try render(Self.shared, [keep, Self.port])
        let expected = Self.shared.replacing(
            "        tags: [db, core]\n",
            with: """
                        tags: [db, core]
                    - name: sim-port
                      type: tcp
                      target: 127.0.0.1:5000
                      interval: 30s
                      timeout: 5s
                      failure_threshold: 3
                      recovery_threshold: 1
                      severity: critical
                      managed_by: chainbot

                """)
        #expect(added == expected)
        // What was written reads back as chainbot's.
        let reread = try TargetsFile(path: Self.path, bytes: Array(added.utf8))
        #expect(reread.managed["sim-port"]?.value == Self.port.value)
    }

    @Test func removingAnEntryTakesOutOnlyItsLines() throws {
        let removed = try render(Self.shared, [], removing: ["chainbot-api"])
        #expect(removed == Self.shared.replacing(Self.chainbotEntry, with: ""))
    }

    @Test func anEntryOfAResourceNeverAppliedIsKept() throws {
        #expect(try render(Self.shared, [], removing: []) == Self.shared)
    }

    @Test func crlfFileKeepsItsBytesAndGetsCRLFLines() throws {
        let crlf = Self.shared.replacing("\n", with: "\r\n")
        let changed = try render(crlf, [Self.api2, Self.port])
        let unchanged = try render(crlf, [], removing: [])
        #expect(unchanged == crlf)
        #expect(!changed.replacing("\r\n", with: "").contains("\n"))
        let lf = try render(Self.shared, [Self.api2, Self.port])
        #expect(changed == lf.replacing("\n", with: "\r\n"))
    }

    @Test func aMissingFileIsCreatedWithAHeader() throws {
        let file = TargetsFile(missingAt: Self.path)
        let text = String(decoding: try file.rendering([Self.port], removing: []), as: UTF8.self)
        #expect(
            text == """
                # Watchtower monitoring targets. Entries marked 'managed_by: chainbot' are written by chainbot \
                from its manifests; the others are left as they are.
                targets:
                  - name: sim-port
                    type: tcp
                    target: 127.0.0.1:5000
                    interval: 30s
                    timeout: 5s
                    failure_threshold: 3
                    recovery_threshold: 1
                    severity: critical
                    managed_by: chainbot

                """)
    }

    @Test(arguments: [
        ("targets:\n", "targets:\n  - name: sim-port\n"),
        ("targets: []\nafter: 1\n", "targets: \n  - name: sim-port\n"),
        ("targets: ~   # none yet\n", "targets:    # none yet\n  - name: sim-port\n"),
        ("# only a comment", "# only a comment\ntargets:\n  - name: sim-port\n"),
        ("other: 1\n", "other: 1\ntargets:\n  - name: sim-port\n"),
        ("targets:\n- name: x\n  type: tcp", "targets:\n- name: x\n  type: tcp\n- name: sim-port\n"),
    ])
    func anEmptyOrMissingListGetsItsFirstEntry(input: String, expectedStart: String) throws {
        let text = try render(input, [Self.port])
        #expect(text.hasPrefix(expectedStart))
        let reread = try TargetsFile(path: Self.path, bytes: Array(text.utf8))
        #expect(reread.managed["sim-port"]?.value == Self.port.value)
    }

    @Test func aSecondCopyOfAnEntryIsRemoved() throws {
        let twice = "targets:\n" + Self.chainbotEntry + "    - name: foreign\n" + Self.chainbotEntry
        let text = try render(twice, [Self.api])
        let reread = try TargetsFile(path: Self.path, bytes: Array(text.utf8))
        #expect(reread.entries.compactMap(\.managedName) == ["chainbot-api"])
        #expect(text.contains("    - name: foreign\n"))
    }

    @Test(arguments: [
        ("targets:\n  - name: a\n    type: [\n", "invalid Watchtower targets file"),
        (
            "- just a list\n",
            "1:1: invalid Watchtower targets file: expected a mapping with a 'targets' list, found a list"
        ),
        (
            "targets: 12\n",
            "1:10: invalid Watchtower targets file: 'targets' must be a list of targets, found an integer"
        ),
        ("a: 1\n---\nb: 2\n", "3:1: invalid Watchtower targets file: more than one YAML document"),
        (
            "targets:\n  - name: ok\n  - managed_by: chainbot\n    type: tcp\n",
            "3:5: invalid Watchtower targets file: a target marked 'managed_by: chainbot' has no 'name'"
        ),
    ])
    func anInvalidFileIsAnErrorWithPathAndLine(input: String, message: String) {
        #expect {
            _ = try TargetsFile(path: Self.path, bytes: Array(input.utf8))
        } throws: { error in
            let text = (error as? ProviderError)?.message ?? ""
            return text.hasPrefix(Self.path + ":") && text.contains(message)
        }
    }

    @Test func aFlowListCannotTakeNewEntries() throws {
        let flow = "targets: [{name: a, type: tcp, target: 'x:1'}]\n"
        #expect(try render(flow, []) == flow)
        #expect {
            _ = try render(flow, [Self.port])
        } throws: { error in
            (error as? ProviderError)?.message.contains("\(Self.path):1: cannot add targets to a flow-style list")
                == true
        }
    }
}

extension TargetsFileTests {
    @Test func anItemWithAnOddDashLineStillGetsNewEntriesAtTheListsIndentation() throws {
        let odd = "targets:\n   -   # the core\n     name: core\n     type: tcp\n"
        let text = try render(odd, [Self.port])
        #expect(text.hasPrefix(odd + "   - name: sim-port\n     type: tcp\n"))
        #expect(try TargetsFile(path: Self.path, bytes: Array(text.utf8)).managed["sim-port"] != nil)
    }
}

extension TargetsFileTests {
    @Test func wordsThatYAML11ReadsAsBooleansAreQuoted() throws {
        let on = Self.entry("on", WatchtowerTargetSpec(type: .http, target: "http://a/", expectJSONStatus: "yes"))
        let text = try render("targets:\n", [on])
        #expect(text.contains("  - name: 'on'\n"))
        #expect(text.contains("    expect_json_status: 'yes'\n"))
        #expect(text.contains("    failure_threshold: 3\n"))
        #expect(try render(text, [on]) == text)
    }
}
