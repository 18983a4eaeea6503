import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// `status`, `get`, `events` and `history` without a state file: one hint, one exit code, and JSON whenever
/// `-o json` was asked (issue 18).
struct MissingStateFileTests {
    static let commands: [[String]] = [["status"], ["get", "Service/chainbot"], ["events"], ["history"]]

    @Test(arguments: commands)
    func withoutAStateFileEachReadingCommandSaysTheSameHintAndExits2(_ command: [String]) async {
        let directory = TemporaryDirectory("chainbot-missing-state")
        let path = directory.file("none.db")

        let run = await CLIHarness.run(command + ["--state", path])

        #expect(run.status == 2, "\(command[0]): \(run.stderr)")
        #expect(
            run.stderr
                == "chainbot \(command[0]): no state file at \(path): nothing has been applied here yet "
                + "(chainbot apply, or start the agent), or give --state/--root\n")
        #expect(run.stdout.isEmpty, "\(command[0]): \(run.stdout)")
        #expect(access(path, F_OK) != 0, "\(command[0]) created the state file")
    }

    @Test(arguments: commands)
    func withoutAStateFileJSONOutputIsStillAJSONDocumentNamingThePath(_ command: [String]) async throws {
        let directory = TemporaryDirectory("chainbot-missing-state")
        let path = directory.file("none.db")

        let run = await CLIHarness.run(command + ["--state", path, "-o", "json"])

        #expect(run.status == 2, "\(command[0]): \(run.stderr)")
        #expect(run.stderr.hasPrefix("chainbot \(command[0]): no state file at \(path): "))
        let document = try JSONValue(parsing: run.stdout)
        #expect(document["schemaVersion"]?.int == 1, "\(command[0]): \(run.stdout)")
        #expect(document["stateFile"]?.string == path)
        #expect(document["exists"]?.bool == false)
        #expect(document["message"]?.string?.hasPrefix("no state file at \(path)") == true)
        #expect(access(path, F_OK) != 0, "\(command[0]) created the state file")
    }
}
