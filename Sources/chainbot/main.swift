import ChainbotCLI
import ChainbotOS
import Glibc

// One malloc arena for all threads, set before any thread allocates: glibc otherwise gives threads arenas
// of their own (up to 8 per core), each keeping freed memory resident, and chainbot's few threads mostly
// wait. Idle agent, 100 resources: 3.2 → 2.7 MiB anonymous, 20.7 → 19.8 MiB RSS (BENCHMARKS.md).
// MALLOC_ARENA_MAX or GLIBC_TUNABLES in the environment still decide. `mallopt` is looked up because
// Swift's Glibc module does not import <malloc.h>; -8 is its M_ARENA_MAX.
if getenv("MALLOC_ARENA_MAX") == nil && getenv("GLIBC_TUNABLES") == nil, let symbol = dlsym(nil, "mallopt") {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 1)
}

// Swift concurrency's jobs and timers run on chainbot's own worker pool rather than libdispatch's, whose
// monitor thread wakes the process every second for as long as it lives (BENCHMARKS.md, "Its threads" in
// docs/agent-watching.md). `main` is synchronous for that: nothing runs on the main actor.
DefaultExecutor.install()
// With no `dispatch_main` (whose `sigsuspend` took signals whatever the mask), a mask inherited with
// SIGTERM blocked would make `kill PID` do nothing.
SignalEvents.unblockServed()
let status = ChainbotCLI.runBlocking(
    Array(CommandLine.arguments.dropFirst()),
    context: CommandContext(
        stdout: .standardOutput, stderr: .standardError, environment: CommandContext.processEnvironment()))
exit(status)
