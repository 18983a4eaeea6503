import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// The pin in a real state file: set, read back with its revision's desired set, cleared.
@Suite struct PinTests {
    let since = Timestamp(millisecondsSinceEpoch: 1_764_583_200_000)

    @Test func aStateFileWithoutAPinHasNone() throws {
        let world = try RecordedRevisions()
        #expect(try Pin.current(in: world.store) == nil)
    }

    @Test func aPinReadsBackWithItsRevisionsResourcesGenerationReasonAndTime() async throws {
        let world = try RecordedRevisions()
        let first = try await world.apply([Resources.service("a"), Resources.configFile("env")], generation: "g1")
        _ = try await world.apply([Resources.service("a")], generation: "g2")
        try Pin.set(first.id, reason: "bad deploy", at: since, in: world.store)

        let pin = try #require(try Pin.current(in: world.store))
        #expect(pin.revision == first.id)
        #expect(pin.generation == "g1")
        #expect(pin.reason == "bad deploy")
        #expect(pin.since == since)
        #expect(pin.resources.map(\.id) == [ResourceID(.service, "a"), ResourceID(.configFile, "env")])
        #expect(pin.description == "pinned to revision \(first.id) (generation g1) since \(since.iso8601): bad deploy")
    }

    @Test func aPinToARevisionWithoutSpecsIsAnErrorNotNoPin() throws {
        let world = try RecordedRevisions()
        let bare = try world.revisionWithoutSpecs()
        try Pin.set(bare.id, reason: "", at: since, in: world.store)
        #expect(throws: PinError.noRecordedSpecs(bare.id)) { try Pin.current(in: world.store) }
        #expect(throws: PinError.noRecordedSpecs(bare.id + 1)) { try Pin.recorded(bare.id + 1, in: world.store) }
    }

    @Test func aPinThatIsNotARevisionNumberIsAnErrorNamingTheText() throws {
        let world = try RecordedRevisions()
        try world.store.setMeta(Pin.revisionKey, "twelve")
        #expect(throws: PinError.notARevisionNumber("twelve")) { try Pin.current(in: world.store) }
        #expect(
            PinError.notARevisionNumber("twelve").description
                == "the state file's pin 'twelve' is not a revision number")
    }

    @Test func clearingRemovesEveryPinKeyAndSaysWhetherThereWasAPin() async throws {
        let world = try RecordedRevisions()
        #expect(try Pin.clear(in: world.store) == false)
        let revision = try await world.apply([Resources.service("a")], generation: "g1")
        try Pin.set(revision.id, reason: "hold", at: since, in: world.store)
        #expect(try Pin.clear(in: world.store))
        #expect(try Pin.current(in: world.store) == nil)
        for key in [Pin.revisionKey, Pin.reasonKey, Pin.sinceKey] {
            #expect(try world.store.meta(key) == nil, "\(key) left behind")
        }
    }
}
