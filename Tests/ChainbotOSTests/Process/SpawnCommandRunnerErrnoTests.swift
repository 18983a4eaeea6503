import ChainbotCore
import ChainbotOS
import Glibc
import Testing

/// A child that cannot start says why in words and in the errno `posix_spawn` returned, which is what
/// callers decide on.
extension SpawnCommandRunnerTests {
    @Test(arguments: ["/nonexistent/chainbot-missing-tool", "chainbot-missing-tool"])
    func aMissingExecutableFailsWithENOENT(executable: String) async {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation(executable))
        }

        guard case .launchFailed(_, let reason)? = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
        #expect(reason.errno == ENOENT)
        #expect(reason.text == "No such file or directory")
    }

    @Test func aFileWithoutTheExecuteBitFailsWithEACCES() async {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/etc/passwd"))
        }

        guard case .launchFailed(_, let reason)? = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
        #expect(reason.errno == EACCES)
    }

    @Test func anArgumentChainbotRefusesBeforeSpawningHasNoErrno() async {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/bin/echo", ["a\u{0}b"]))
        }

        guard case .launchFailed(_, let reason)? = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
        #expect(reason.errno == nil)
    }
}
