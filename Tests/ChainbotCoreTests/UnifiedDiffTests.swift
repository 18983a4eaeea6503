import ChainbotCore
import Testing

@Suite struct UnifiedDiffTests {
    @Test func equalTextsHaveNoHunks() {
        #expect(UnifiedDiff.lines(from: "a\nb\n", to: "a\nb\n").isEmpty)
    }

    @Test func aChangedLineShowsWithItsContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacing("line 5\n", with: "line five\n")
        #expect(
            UnifiedDiff.lines(from: old, to: new) == [
                "@@ -2,7 +2,7 @@", " line 2", " line 3", " line 4", "-line 5", "+line five", " line 6", " line 7",
                " line 8",
            ])
    }

    @Test func aNewFileIsAllAdditions() {
        #expect(
            UnifiedDiff.lines(from: "", to: "[Unit]\nDescription=x\n") == [
                "@@ -0,0 +1,2 @@", "+[Unit]", "+Description=x",
            ])
    }

    @Test func distantChangesAreSeparateHunks() {
        let old = (1...20).map(String.init).joined(separator: "\n")
        let new = old.replacing("\n2\n", with: "\ntwo\n").replacing("\n19\n", with: "\nnineteen\n")
        let hunks = UnifiedDiff.lines(from: old, to: new).filter { $0.hasPrefix("@@") }
        #expect(hunks == ["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"])
    }
}

@Suite struct FileWriteTests {
    @Test func neitherTheDescriptionNorTheMirrorShowsTheContent() {
        let write = FileWrite(
            path: "/etc/app.env", content: Array("TOKEN=s3cr3t-sentinel\n".utf8), mode: 0o600, owner: "alex")
        #expect(!"\(write)".contains("s3cr3t"))
        var dumped = ""
        dump(write, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
        #expect(dumped.contains("22 bytes, sha256:"))
        // Reflection sees a summary, not the byte array (which `dump` would print byte by byte).
        let content = Mirror(reflecting: write).children.first { $0.label == "content" }?.value
        #expect(content is String)
        #expect("\(write)".hasPrefix("/etc/app.env (22 bytes, sha256:"))
        #expect("\(write)".hasSuffix(", mode 600, alex)"))
    }
}
