import ChainbotCore
import Testing

@Suite struct DiagnosticCodeTests {
    /// The summaries are three switches with a default each, so the compiler no longer checks that a new
    /// code got one: this does.
    @Test func everyCodeHasASummaryOfItsOwn() {
        let summaries = DiagnosticCode.allCases.map(\.summary)
        #expect(DiagnosticCode.allCases.filter { $0.summary.isEmpty }.isEmpty)
        #expect(Set(summaries).count == summaries.count)
        #expect(summaries.allSatisfy { $0.hasSuffix(".") || $0.hasSuffix(").") })
    }
}
