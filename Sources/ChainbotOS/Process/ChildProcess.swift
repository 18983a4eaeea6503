import ChainbotCore
import Glibc

/// A child started with `posix_spawn` and the parent's ends of its pipes (non-blocking, close-on-exec).
///
/// The child leads its own process group, so a timeout can signal it together with anything it started.
struct ChildProcess {
    /// The child's process id, which is also its process group id.
    var pid: pid_t
    /// The write end of the child's standard input, or nil when its standard input is /dev/null.
    var standardInput: Int32?
    /// The read end of the child's standard output.
    var standardOutput: Int32
    /// The read end of the child's standard error.
    var standardError: Int32

    /// Starts `invocation`: argv only (no shell), a bare name searched in `PATH` as `posix_spawnp` does.
    static func spawn(_ invocation: CommandInvocation) throws(CommandError) -> ChildProcess {
        let command = invocation.description
        func launchFailed(_ reason: CommandError.Reason) -> CommandError {
            .launchFailed(command: command, reason: reason)
        }

        let (argv, envp) = try strings(of: invocation, failing: launchFailed)
        let (output, errors, input) = try pipes(for: invocation, failing: launchFailed)

        let settings = SpawnSettings(
            standardInput: input?.readEnd, standardOutput: output.writeEnd, standardError: errors.writeEnd)
        var pid: pid_t = 0
        let status = argv.withUnsafePointer { argvPointer in
            withEnvironment(envp) { envpPointer in
                spawnHoldingFallbackLock {
                    let spawn = invocation.executable.contains("/") ? posix_spawn : posix_spawnp
                    return spawn(
                        &pid, invocation.executable, &settings.fileActions, &settings.attributes, argvPointer,
                        envpPointer)
                }
            }
        }

        close(output.writeEnd)
        close(errors.writeEnd)
        if let input { close(input.readEnd) }
        guard status == 0 else {
            close(output.readEnd)
            close(errors.readEnd)
            if let input { close(input.writeEnd) }
            throw launchFailed(CommandError.Reason(spawnStatus: status))
        }

        let child = ChildProcess(
            pid: pid, standardInput: input?.writeEnd, standardOutput: output.readEnd,
            standardError: errors.readEnd)
        do {
            for fd in [child.standardOutput, child.standardError] + (child.standardInput.map { [$0] } ?? []) {
                try ChildPipe.setNonBlocking(fd)
            }
        } catch {
            child.abandon()
            throw launchFailed(CommandError.Reason(error))
        }
        return child
    }

    /// argv and, when the invocation overrides some, the whole environment, as C strings.
    private static func strings(
        of invocation: CommandInvocation, failing launchFailed: (CommandError.Reason) -> CommandError
    ) throws(CommandError) -> (CStringArray, CStringArray?) {
        if let problem = invocation.environment?.keys.lazy.compactMap(ChildEnvironment.problem(withName:)).first {
            throw launchFailed(CommandError.Reason(problem))
        }
        do {
            let argv = try CStringArray([invocation.executable] + invocation.arguments)
            let envp = try invocation.environment.map { overrides throws(CStringArrayError) in
                try CStringArray(ChildEnvironment.merged(overrides))
            }
            return (argv, envp)
        } catch {
            throw launchFailed("\(error)")
        }
    }

    /// Pipes for standard output, standard error and (when the invocation feeds one) standard input; on
    /// failure none stays open.
    private static func pipes(
        for invocation: CommandInvocation, failing launchFailed: (CommandError.Reason) -> CommandError
    ) throws(CommandError) -> (output: ChildPipe, errors: ChildPipe, input: ChildPipe?) {
        var pipes: [ChildPipe] = []
        do {
            pipes.append(try ChildPipe.make())
            pipes.append(try ChildPipe.make())
            if invocation.standardInput != nil { pipes.append(try ChildPipe.make()) }
        } catch {
            for pipe in pipes { pipe.closeBoth() }
            throw launchFailed(CommandError.Reason(error))
        }
        return (pipes[0], pipes[1], pipes.count > 2 ? pipes[2] : nil)
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Kills the child's process group, reaps the child and closes every pipe (for failure paths).
    func abandon() {
        signalGroup(SIGKILL)
        _ = try? WaitStatus.wait(for: pid, blocking: true)
        close(standardOutput)
        close(standardError)
        if let standardInput { close(standardInput) }
    }

    private static func withEnvironment<Result>(
        _ envp: CStringArray?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> Result
    ) -> Result {
        guard let envp else { return body(UnsafePointer(environ)) }
        return envp.withUnsafePointer { body($0) }
    }

    private static func spawnHoldingFallbackLock(_ spawn: () -> Int32) -> Int32 {
        guard GNULibc.pipe2 == nil else { return spawn() }
        return ChildPipe.fallbackLock.withLock { _ in spawn() }
    }
}
