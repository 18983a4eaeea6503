import ChainbotYAML
import Testing

@Suite struct AnchorAliasTests {
    @Test func aliasIsACopyOfTheAnchoredNodeWithItsMarks() throws {
        let text = MarkedText("base: 1️⃣&b {x: 1}\ncopy: *b\n")
        let root = try document(text.text)
        let copy = try #require(root["copy"])
        #expect(copy["x"]?.value == .int(1))
        #expect(copy.start == text[1])
        #expect(copy.start == root["base"]?.start)
        #expect(copy.end == root["base"]?.end)
    }

    @Test func aliasOfAScalarKeepsItsValueAndTag() throws {
        let root = try document("a: &n !!str 42\nb: *n\n")
        #expect(root["b"]?.value == .string("42"))
        #expect(root["b"]?.tag == "tag:yaml.org,2002:str")
    }

    @Test func redefinedAnchorUsesTheLaterDefinition() throws {
        let root = try document("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
        #expect(root["b"]?.value == .int(1))
        #expect(root["d"]?.value == .int(2))
    }

    @Test func undefinedAliasIsFatal() {
        let text = MarkedText("a: 1\nb: 1️⃣*missing\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.undefinedAlias])
        #expect(stream.problems.first?.mark == text[1])
        #expect(stream.documents.isEmpty)
    }

    @Test func anchorsDoNotCrossDocuments() {
        let stream = parse("a: &x 1\n---\nb: *x\n")
        #expect(stream.documents.count == 1)
        #expect(stream.problems.map(\.kind) == [.undefinedAlias])
    }

    @Test func billionLaughsIsRejectedByTheExpansionBudget() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let stream = parse(lines.joined(separator: "\n") + "\n")
        #expect(stream.documents.isEmpty)
        #expect(stream.problems.map(\.kind) == [.aliasBudget])
        #expect(stream.problems.first?.message == "aliases expand to more than 1000000 nodes (alias bomb?)")
    }

    @Test func expansionBudgetCountsEveryAliasAsAFullCopy() {
        let text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
        // 1 mapping + 2 keys + 4 (a) + 1 list + 4 + 4 = 16 expanded nodes.
        #expect(parse(text, limits: limits(maxExpandedNodes: 16)).problems.isEmpty)
        #expect(parse(text, limits: limits(maxExpandedNodes: 15)).problems.map(\.kind) == [.aliasBudget])
    }

    @Test func aliasCannotNestDeeperThanTheDepthLimit() {
        let text = "a: &a [[[1]]]\nb: [[*a]]\n"
        #expect(parse(text, limits: limits(maxDepth: 6)).problems.isEmpty)
        #expect(parse(text, limits: limits(maxDepth: 5)).problems.map(\.kind) == [.tooDeep])
    }

    @Test func aliasAsKeyIsComposed() throws {
        let root = try document("- &k name\n- {*k : value}\n")
        #expect(root.sequence?.last?["name"]?.value == .string("value"))
    }
}

extension AnchorAliasTests {
    @Test func aliasInsideItsOwnAnchoredNodeIsRejected() {
        let text = MarkedText("a: &x [1, 1️⃣*x]\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.undefinedAlias])
        #expect(stream.problems.first?.mark == text[1])
        #expect(stream.problems.first?.message.contains("recursive") == true)
    }
}

extension AnchorAliasTests {
    @Test func streamWithMoreNodesThanTheBudgetIsRejectedWithoutAliases() {
        let stream = parse("[1, 2, 3, 4]\n", limits: limits(maxExpandedNodes: 4))
        #expect(stream.problems.map(\.kind) == [.aliasBudget])
        #expect(stream.problems.first?.message == "the stream has more than 4 nodes")
        #expect(stream.problems.first?.mark == Mark(line: 1, column: 11))
    }
}
