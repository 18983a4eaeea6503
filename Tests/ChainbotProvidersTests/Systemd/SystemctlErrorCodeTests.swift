import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// A failed `systemctl` says what kind of failure it is in its code, so no one has to read the message:
/// never started, killed at its timeout, or exited with a failure status.
@Suite struct SystemctlErrorCodeTests {
    typealias Support = ServiceTestSupport

    /// The error `systemctl enable chainbot.service` throws when the runner answers as `script` says.
    func enableError(_ script: (FakeCommandRunner) -> Void) async -> ProviderError? {
        let runner = FakeCommandRunner()
        script(runner)
        let provider = Support.provider(runner: runner)
        return await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.enable, unit: "chainbot.service"))
        }
    }

    @Test func aSystemctlThatCannotStartIsLaunchFailedAndNotRetried() async {
        let error = await enableError {
            $0.script("systemctl", error: .launchFailed(command: "systemctl", reason: "No such file or directory"))
        }
        #expect(error?.code == .launchFailed)
        #expect(error?.retryable == false)
    }

    @Test func aSystemctlKilledAtItsTimeoutIsTimedOutAndRetried() async {
        let error = await enableError {
            $0.script("systemctl", error: .timedOut(command: "systemctl enable", after: .seconds(60)))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.retryable == true)
    }

    @Test func aSystemctlThatExitsWithAFailureIsCommandFailed() async {
        let error = await enableError {
            $0.script(
                "systemctl", exitCode: 1,
                errorOutput: "Failed to enable unit: Unit file chainbot.service does not exist.\n")
        }
        #expect(error?.code == .commandFailed)
        #expect(
            error?.message
                == "systemctl enable --no-reload chainbot.service failed: Failed to enable unit: Unit file chainbot.service does not exist."
        )
    }
}
