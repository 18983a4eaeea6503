import ChainbotCore
import Testing

@testable import ChainbotCLI

/// The page's script listens on the event stream for reasons by the words the stream sends as `event:`.
@Suite struct StatusPageLiveReasonsTests {
    @Test func thePageListensLiveForEachShownReasonByItsWord() {
        let html = StatusPage.html(StatusPageTests.status(suspended: false))
        let words =
            #"["DriftDetected","Applied","ApplyFailed","Pruned","HealthChanged","FirewallReverted","ManifestInvalid"]"#
        #expect(html.contains(words + ".forEach(kind =>"))
    }
}
