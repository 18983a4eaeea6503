import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// `chainbot events` lines its columns up however long a resource's name is (issue 18).
struct EventsTableWidthTests {
    @Test func aLongResourceNameWidensTheRegardingColumnForEveryRow() async throws {
        let directory = TemporaryDirectory("chainbot-events-width")
        let path = directory.file("state.db")
        let long = "a-config-file-with-a-rather-long-name-for-the-motd"
        let store = try SQLiteStateStore.open(path: path)
        for name in [long, "motd"] {
            try store.recordEvent(
                Event(
                    type: .normal, reason: .driftDetected, regardingKind: "ConfigFile", regardingName: name,
                    message: "changed \(name)"),
                outboxPayload: nil)
        }

        let run = await CLIHarness.run(["events", "--state", path])

        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(run.stdout)")
        // COUNT starts at the same column in the header and in both rows, after the longest name.
        let countColumn = try #require(lines[0].firstRange(of: "COUNT")).lowerBound
        let offset = lines[0].distance(from: lines[0].startIndex, to: countColumn)
        for line in lines.dropFirst() {
            let cell = line.dropFirst(offset).prefix(2)
            #expect(cell == "1 ", "COUNT not at column \(offset): \(line)")
        }
        let regarding = try #require(lines[1].firstRange(of: "ConfigFile/\(long) ")).lowerBound
        #expect(lines[1].distance(from: lines[1].startIndex, to: regarding) + "ConfigFile/\(long)".count < offset)
    }

}
