import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Descriptors and concurrency: nothing leaks into the parent or the child, and many runs can overlap.
/// The leak checks look only at pipes these tests made, so they hold while other suites run children.
extension SpawnCommandRunnerTests {
    /// Only the pipes these runs made are looked at (by inode, as each child names its standard streams), so
    /// the pipes other suites open in this process at the same time cannot make it fail.
    @Test func leavesNoPipeOpenAfterTwoHundredRuns() async throws {
        // Not vacuous: while a child runs, this process holds the other ends of the output pipes the child's
        // shell names (its input pipe is closed once written).
        let work = TemporaryDirectory("chainbot-pipes")
        let runner = runner
        let running = Task {
            try await runner.run(
                CommandInvocation(
                    "/bin/sh",
                    [
                        "-c",
                        "named=$(readlink /proc/$$/fd/1 /proc/$$/fd/2); echo \"$named\" > \"$0.tmp\"; mv \"$0.tmp\" \"$0\"; "
                            + "while [ ! -e \"$0.done\" ]; do sleep 0.05; done",
                        work.file("named"),
                    ], standardInput: [1], timeout: .seconds(120)))
        }
        var named: String?
        let namedBy = ContinuousClock.now + .seconds(60)
        while named == nil, ContinuousClock.now < namedBy {
            named = Fixtures.readText(work.file("named"))
            if named == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let held = Set(try openDescriptorTargets())
        work.write("named.done", "")
        _ = try await running.value
        let streams = try #require(named, "the child never named its pipes").split(separator: "\n").map(String.init)
        #expect(streams.count == 2 && streams.allSatisfy(held.contains), "\(streams) not among \(held.sorted())")

        var given: Set<String> = []
        for _ in 0..<200 {
            let result = try await runner.run(
                CommandInvocation(
                    "/bin/readlink", ["/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"],
                    standardInput: [1, 2, 3]))
            let streams = result.output.split(separator: "\n").map(String.init)
            try #require(streams.count == 3 && streams.allSatisfy { $0.hasPrefix("pipe:") }, "\(result.output)")
            given.formUnion(streams)
        }
        #expect(given.count == 600, "every run gets three pipes of its own")

        // A leaked end stays open for good; one closed just after `run` returned is gone within the deadline.
        var open = given.intersection(try openDescriptorTargets())
        let deadline = ContinuousClock.now + .seconds(30)
        while !open.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            open = given.intersection(try openDescriptorTargets())
        }
        #expect(open.isEmpty, "\(open.count) of the runs' pipes are still open: \(open.sorted().prefix(10))")
    }

    /// A pipe of which this process holds both ends was never handed to a child: a failed spawn that leaked
    /// would leave two or three of those per run, for good. Another suite's pipe looks like that only between
    /// its making and its child's spawn, so only those that stay are counted.
    @Test func leavesNoPipeOpenAfterTwentyFailedSpawns() async throws {
        let before = try pipesWithBothEndsOpen()
        for _ in 0..<20 {
            await #expect(throws: CommandError.self) { try await runner.run(CommandInvocation("/nonexistent/tool")) }
        }
        var left = try pipesWithBothEndsOpen().subtracting(before)
        let deadline = ContinuousClock.now + .seconds(30)
        while !left.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            left.formIntersection(try pipesWithBothEndsOpen())
        }
        #expect(left.isEmpty, "\(left.count) pipes made for failed spawns are still open: \(left.sorted().prefix(10))")
    }

    @Test func keepsInheritableDescriptorsOfParentOutOfChild() async throws {
        // F_DUPFD (unlike F_DUPFD_CLOEXEC) makes a copy that exec would keep; ≥ 10 keeps it apart from ls's own.
        let original = open("/dev/null", O_RDONLY | O_CLOEXEC)
        try #require(original >= 0)
        let inheritable = fcntl(original, F_DUPFD, 10)
        close(original)
        try #require(inheritable >= 10)
        defer { close(inheritable) }

        let result = try await runner.run(CommandInvocation("/bin/ls", ["/proc/self/fd"]))

        let descriptors = Set(result.output.split(separator: "\n").compactMap { Int32($0) })
        #expect(!descriptors.contains(inheritable))
        #expect(descriptors.isSubset(of: [0, 1, 2, 3]))
    }

    @Test func runsFiftyChildrenConcurrently() async throws {
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let result = try await runner.run(
                        CommandInvocation("/bin/sh", ["-c", "sleep 0.1; echo child $0", "\(index)"]))
                    return (index, result.output)
                }
            }
            var outputs: [Int: String] = [:]
            for try await (index, output) in group { outputs[index] = output }
            return outputs
        }

        #expect(outputs.count == 50)
        for index in 0..<50 { #expect(outputs[index] == "child \(index)\n") }
    }
}

/// The pipes (`pipe:[INODE]`) of which this process holds more than one descriptor: both ends, as a pipe
/// made here and not yet given to a child.
private func pipesWithBothEndsOpen() throws -> Set<String> {
    var counts: [String: Int] = [:]
    for target in try openDescriptorTargets() where target.hasPrefix("pipe:") { counts[target, default: 0] += 1 }
    return Set(counts.filter { $0.value > 1 }.keys)
}

/// Returns what each of this process's open descriptors refers to (`pipe:[…]`, a path, `socket:[…]`).
private func openDescriptorTargets() throws -> [String] {
    let directory = try #require(opendir("/proc/self/fd"))
    defer { closedir(directory) }
    var targets: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard Int32(name) != nil else { continue }
        var buffer = [CChar](repeating: 0, count: 512)
        let length = readlink("/proc/self/fd/\(name)", &buffer, buffer.count - 1)
        guard length > 0 else { continue }
        targets.append(String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return targets
}
