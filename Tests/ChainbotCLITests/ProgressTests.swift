import ChainbotCore
import ChainbotEngine
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// A step that takes long is not silent: `apply` says what is still running and for how long.
@Suite struct ProgressTests {
    static let step = Step(
        index: 2, resource: ResourceID(.service, "web"), action: .systemctl(.start, unit: "web.service"),
        reason: "stopped")

    @Test func aLongStepIsSaidToBeStillRunningUntilItEndsAndThenHowLongItTook() async throws {
        let sink = OutputSink.buffer()
        let progress = Progress(
            sink: sink, total: 5, colored: false, firstNotice: .milliseconds(100), notices: .milliseconds(300))
        progress.show(Self.step, nil)
        let noticed = try await Poll.within(.seconds(120)) {
            sink.text.components("still running").count >= 2
        }
        #expect(noticed, "\(sink.text)")
        #expect(
            sink.text.hasPrefix("[3/5] Service/web: systemctl start web.service ... still running ("), "\(sink.text)")
        // Until a notice says it has run for a second or more: then its end says how long it took.
        #expect(try await Poll.within(.seconds(120)) { Self.longestNotice(sink.text) >= 1.0 }, "\(sink.text)")
        progress.show(Self.step, .succeeded)
        let last = try #require(sink.text.split(separator: "\n").last)
        #expect(last.hasPrefix("[3/5] Service/web: systemctl start web.service ... ok ("), "\(last)")
        #expect(last.hasSuffix("s)"), "\(last)")
        // Ended: nothing more is said about it.
        let ended = sink.text
        #expect(try await Poll.within(.seconds(120)) { !progress.isTicking }, "the notices stop")
        #expect(sink.text == ended)
    }

    @Test func aQuickStepIsOneLineWithoutATime() async throws {
        let sink = OutputSink.buffer()
        let progress = Progress(sink: sink, total: 5, colored: false)
        progress.show(Self.step, nil)
        progress.show(Self.step, .succeeded)
        #expect(sink.text == "[3/5] Service/web: systemctl start web.service ... ok\n")
    }
}

extension ProgressTests {
    /// The longest time a `still running (…s)` notice gave.
    static func longestNotice(_ text: String) -> Double {
        text.split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("still running ("), let open = line.lastIndex(of: "(") else { return nil }
            return Double(line[line.index(after: open)...].dropLast(2))
        }.max() ?? 0
    }
}

extension String {
    fileprivate func components(_ separator: String) -> [Substring] {
        split(separator: separator, omittingEmptySubsequences: false)
    }
}
