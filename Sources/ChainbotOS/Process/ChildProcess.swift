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
        func launchFailed(_ reason: String) -> CommandError { .launchFailed(command: command, reason: reason) }

        if let problem = invocation.environment?.keys.lazy.compactMap(ChildEnvironment.problem(withName:)).first {
            throw launchFailed(problem)
        }
        let argv: CStringArray
        let envp: CStringArray?
        do {
            argv = try CStringArray([invocation.executable] + invocation.arguments)
            envp = try invocation.environment.map { overrides throws(CStringArrayError) in
                try CStringArray(ChildEnvironment.merged(overrides))
            }
        } catch {
            throw launchFailed("\(error)")
        }

        var pipes: [ChildPipe] = []
        func closeAll() { for pipe in pipes { pipe.closeBoth() } }
        do {
            pipes.append(try ChildPipe.make())
            pipes.append(try ChildPipe.make())
            if invocation.standardInput != nil { pipes.append(try ChildPipe.make()) }
        } catch {
            closeAll()
            throw launchFailed("\(error)")
        }
        let output = pipes[0]
        let errors = pipes[1]
        let input = pipes.count > 2 ? pipes[2] : nil

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
            throw launchFailed(SystemError.text(for: status))
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
            throw launchFailed("\(error)")
        }
        return child
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
