// chainbot-bench: measures chainbot's own costs and prints figures for BENCHMARKS.md.
//
//   chainbot-bench manifests [COUNT...]   generate COUNT resources across 100 files, time load + validate
//   chainbot-bench outbox [EVENTS...]     persist EVENTS events with outbox entries, deliver them to the
//                                         ALEX OS simulator on loopback; events/s and memory
//
// Run it from a release build: `swift run -c release chainbot-bench manifests 1000 10000`.
import ChainbotCore
import ChainbotManifest
import Glibc

let arguments = Array(CommandLine.arguments.dropFirst())
let counts = arguments.dropFirst().compactMap { Int($0) }
switch arguments.first {
case "manifests":
    for count in counts.isEmpty ? [1000, 10_000] : counts {
        ManifestBenchmark(resources: count, files: 100).run()
    }
case "outbox":
    for count in counts.isEmpty ? [10_000] : counts {
        do { try await OutboxBenchmark(events: count).run() } catch {
            print("outbox benchmark failed: \(error)")
            exit(1)
        }
    }
default:
    print("usage: chainbot-bench manifests [COUNT...] | outbox [EVENTS...]")
    exit(64)
}
