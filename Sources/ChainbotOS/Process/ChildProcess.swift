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

        let argv: CStringArray
        let envp: CStringArray?
        do {
            argv = try CStringArray([invocation.executable] + invocation.arguments)
            if let overrides = invocation.environment {
                if let problem = overrides.keys.lazy.compactMap(ChildEnvironment.problem(withName:)).first {
                    throw launchFailed(problem)
                }
                envp = try CStringArray(ChildEnvironment.merged(overrides))
            } else {
                envp = nil
            }
        } catch let error as CommandError {
            throw error
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

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input.readEnd, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.writeEnd, 2)
        // Descriptors that other code opened without O_CLOEXEC must not reach the child either.
        if let addCloseFrom = GNULibc.addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A parent that blocks or ignores signals (chainbot blocks SIGPIPE on this thread) must not pass
        // that on: the child starts with an empty mask and default handling for every signal.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var pid: pid_t = 0
        let status = argv.withUnsafePointer { argvPointer in
            withEnvironment(envp) { envpPointer in
                spawnHoldingFallbackLock {
                    invocation.executable.contains("/")
                        ? posix_spawn(&pid, invocation.executable, &actions, &attributes, argvPointer, envpPointer)
                        : posix_spawnp(&pid, invocation.executable, &actions, &attributes, argvPointer, envpPointer)
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
