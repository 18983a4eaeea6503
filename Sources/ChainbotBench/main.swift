// chainbot-bench: measures chainbot's own costs and prints figures for BENCHMARKS.md.
//
//   chainbot-bench manifests [COUNT...]   generate COUNT resources across 100 files, time load + validate
//
// Run it from a release build: `swift run -c release chainbot-bench manifests 1000 10000`.
import ChainbotCore
import ChainbotManifest
import Glibc

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "manifests" else {
    print("usage: chainbot-bench manifests [COUNT...]")
    exit(64)
}
let counts = arguments.dropFirst().compactMap { Int($0) }
for count in counts.isEmpty ? [1000, 10_000] : counts {
    ManifestBenchmark(resources: count, files: 100).run()
}
