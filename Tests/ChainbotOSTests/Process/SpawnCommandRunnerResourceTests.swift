import ChainbotCore
import ChainbotOS
import Glibc
import Testing

/// Descriptors and concurrency: nothing leaks into the parent or the child, and many runs can overlap.
extension SpawnCommandRunnerTests {
    @Test func leavesNoPipeOpenAfterTwoHundredRuns() async throws {
        _ = try await runner.run(CommandInvocation("/bin/true"))
        let before = try openDescriptorTargets().filter { $0.hasPrefix("pipe:") }.count

        for _ in 0..<200 {
            _ = try await runner.run(CommandInvocation("/bin/true", standardInput: [1, 2, 3]))
        }
        for _ in 0..<20 {
            _ = try? await runner.run(CommandInvocation("/nonexistent/tool"))
        }

        // A leak would leave hundreds; the slack is for pipes of unrelated code in this process (other
        // suites run commands at the same time), so the lowest count over a short while is compared.
        var after = Int.max
        for _ in 0..<30 {
            after = min(after, try openDescriptorTargets().filter { $0.hasPrefix("pipe:") }.count)
            if after <= before + 4 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(after <= before + 4, "pipes before: \(before), after: \(after)")
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
