import Testing

@testable import ChainbotProviders

@Suite struct UnitListParserTests {
    @Test func readsEachListedUnitsActiveAndSubStateWhateverItsDescription() {
        // Captured in the testbed: `systemctl list-units --all --plain --no-legend --full -- p1.service
        // bad.service nothere.service p2.service` (nothere is not loaded, so not listed).
        let output = """
            bad.service loaded failed failed  bad.service
            p1.service  loaded active running Sleeps for ever, as a test
            ● p2.service loaded activating auto-restart p2
            short line
            """
        let states = UnitListParser.states(output)
        #expect(states.keys.sorted() == ["bad.service", "p1.service", "p2.service"])
        #expect(states["bad.service"]?.active == "failed")
        #expect(states["p1.service"]?.sub == "running")
        #expect(states["p2.service"]?.active == "activating")
        #expect(states["p2.service"]?.sub == "auto-restart")
        #expect(states["nothere.service"] == nil)
    }
}
