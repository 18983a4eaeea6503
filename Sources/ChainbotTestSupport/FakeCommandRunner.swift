import ChainbotCore
import Synchronization

/// A `CommandRunner` for tests: records every invocation in order and replays scripted answers.
///
/// Scripts are tried in the order they were added; the first that matches and has uses left answers.
/// A script added with `times: 1` answers once, so "fails, then succeeds" is two scripts. An invocation
/// that no script answers is recorded and fails with `CommandError.launchFailed` naming the command.
public final class FakeCommandRunner: CommandRunner {
    /// Computes the answer to a matched invocation: a result, or a thrown `CommandError`.
    public typealias Answer = @Sendable (CommandInvocation) throws(CommandError) -> CommandResult

    private struct Script {
        let description: String
        let matches: @Sendable (CommandInvocation) -> Bool
        let answer: Answer
        /// Uses left; nil answers any number of times.
        var remaining: Int?
    }

    private struct State {
        var scripts: [Script] = []
        var invocations: [CommandInvocation] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers invocations of `executable` whose arguments start with `argumentsPrefix` with `result`.
    public func script(
        _ executable: String, _ argumentsPrefix: [String] = [], times: Int? = nil, result: CommandResult
    ) {
        script(executable, argumentsPrefix, times: times) { _ in result }
    }

    /// Answers invocations of `executable` whose arguments start with `argumentsPrefix` with an exit status
    /// and output text.
    public func script(
        _ executable: String, _ argumentsPrefix: [String] = [], times: Int? = nil, exitCode: Int32 = 0,
        output: String = "", errorOutput: String = ""
    ) {
        let result = CommandResult(
            termination: .exited(exitCode), standardOutput: Array(output.utf8), standardError: Array(errorOutput.utf8))
        script(executable, argumentsPrefix, times: times, result: result)
    }

    /// Fails invocations of `executable` whose arguments start with `argumentsPrefix` with `error`.
    public func script(
        _ executable: String, _ argumentsPrefix: [String] = [], times: Int? = nil, error: CommandError
    ) {
        script(executable, argumentsPrefix, times: times) { (_) throws(CommandError) -> CommandResult in throw error }
    }

    /// Answers invocations of `executable` whose arguments start with `argumentsPrefix` by calling `answer`.
    public func script(
        _ executable: String, _ argumentsPrefix: [String] = [], times: Int? = nil, answer: @escaping Answer
    ) {
        let description = CommandInvocation(executable, argumentsPrefix).description
        let matches: @Sendable (CommandInvocation) -> Bool = { invocation in
            invocation.executable == executable && invocation.arguments.starts(with: argumentsPrefix)
        }
        script(description, times: times, where: matches, answer: answer)
    }

    /// Answers invocations for which `matches` is true by calling `answer`; `description` names the script
    /// in failure messages.
    public func script(
        _ description: String, times: Int? = nil, where matches: @escaping @Sendable (CommandInvocation) -> Bool,
        answer: @escaping Answer
    ) {
        precondition(times.map { $0 > 0 } ?? true, "a script must answer at least once")
        state.withLock { state in
            state.scripts.append(Script(description: description, matches: matches, answer: answer, remaining: times))
        }
    }

    /// Every invocation so far, in the order `run` received them (unanswered ones included).
    public var invocations: [CommandInvocation] {
        state.withLock { $0.invocations }
    }

    /// Every invocation so far as a command line (`systemctl show --property=…`), in order.
    public var commandLines: [String] {
        invocations.map(\.description)
    }

    /// The scripts added with a number of `times` that have not been used up, by description.
    public var unusedScripts: [String] {
        state.withLock { state in
            state.scripts.filter { ($0.remaining ?? 0) > 0 }.map(\.description)
        }
    }

    /// Records `invocation` and replays the first matching script's answer.
    public func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        let found: Result<Answer, CommandError> = state.withLock { state in
            state.invocations.append(invocation)
            guard
                let index = state.scripts.indices.first(where: { index in
                    state.scripts[index].remaining != 0 && state.scripts[index].matches(invocation)
                })
            else {
                let scripted = state.scripts.map(\.description)
                let known = scripted.isEmpty ? "nothing is scripted" : "scripted: " + scripted.joined(separator: "; ")
                return .failure(
                    .launchFailed(
                        command: invocation.description,
                        reason: "FakeCommandRunner has no scripted answer for it (\(known))"))
            }
            if let remaining = state.scripts[index].remaining { state.scripts[index].remaining = remaining - 1 }
            return .success(state.scripts[index].answer)
        }
        // The answer runs outside the lock, so it may itself use this runner.
        return try found.get()(invocation)
    }
}
