import ChainbotYAML
import Testing

@Suite struct MergeKeyTests {
    @Test func mergeKeyCopiesEntriesOfOneMapping() throws {
        let root = try document("base: &b {user: app, restart: always}\nweb:\n  <<: *b\n  port: 80\n")
        let web = try #require(root["web"])
        #expect(web.keys == ["user", "restart", "port"])
        #expect(web["user"]?.value == .string("app"))
        #expect(web["<<"] == nil)
    }

    @Test func explicitKeysWinWhereverTheyAreWritten() throws {
        let root = try document(
            "b: &b {user: app, group: app}\nbefore: {user: root, <<: *b}\nafter: {<<: *b, user: root}\n")
        #expect(root["before"]?["user"]?.value == .string("root"))
        #expect(root["after"]?["user"]?.value == .string("root"))
        #expect(root["before"]?["group"]?.value == .string("app"))
        #expect(root["before"]?.mapping?.count == 2)
        #expect(root["after"]?.mapping?.count == 2)
    }

    @Test func earlierMappingsInAMergeListWin() throws {
        let root = try document("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n")
        let c = try #require(root["c"])
        #expect(c.keys == ["x", "y", "z", "w"])
        #expect(c["y"]?.value == .int(1))
        #expect(c["z"]?.value == .int(2))
    }

    @Test func mergedMappingCanItselfMerge() throws {
        let root = try document("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b}\n")
        #expect(root["c"]?.keys == ["x", "y"])
    }

    @Test func mergeValueThatIsNotAMappingIsReportedAndSkipped() throws {
        let text = MarkedText("a:\n  <<: 1️⃣just text\n  b: 1\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.invalidMerge])
        #expect(stream.problems.first?.mark == text[1])
        #expect(stream.problems.first?.isFatal == false)
        let root = try #require(stream.documents.first)
        #expect(root["a"]?.keys == ["b"])
    }

    @Test func nonMappingInAMergeListIsReportedAndTheRestMerged() throws {
        let text = MarkedText("m: &m {x: 1}\na:\n  <<: [*m, 1️⃣3]\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.invalidMerge])
        #expect(stream.problems.first?.mark == text[1])
        #expect(stream.documents.first?["a"]?.keys == ["x"])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let root = try document("a:\n  '<<': {x: 1}\n")
        #expect(root["a"]?.keys == ["<<"])
    }

    @Test func mergedKeysAreNotDuplicates() throws {
        let root = try document("a: &a {x: 1}\nb: &b {x: 2}\nc: {<<: [*a, *b], x: 3}\n")
        #expect(root["c"]?["x"]?.value == .int(3))
    }
}
