import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

@Suite("Last-applied inventory")
struct AppliedResourceStoreTests {
    @Test(arguments: StoreLocation.allCases)
    func recordedSpecReadsBackUnchanged(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        let resource = AppliedResource.sample(
            kind: "ConfigFile", name: "watchtower-env", spec: #"{"path":"/etc/watchtower.env","mode":"0600"}"#,
            createdByChainbot: false)
        try store.recordApplied(resource)
        #expect(try store.applied(kind: "ConfigFile", name: "watchtower-env") == resource)
        #expect(try store.applied(kind: "Service", name: "watchtower-env") == nil)
    }

    @Test(arguments: StoreLocation.allCases)
    func recordingAgainReplacesTheSpec(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        try store.recordApplied(.sample(name: "chainbot", spec: #"{"enabled":false}"#, generation: "old"))
        let newer = AppliedResource.sample(
            name: "chainbot", spec: #"{"enabled":true}"#, generation: "new", at: 1_700_000_060_000)
        try store.recordApplied(newer)
        #expect(try store.allApplied() == [newer])
    }

    @Test(arguments: StoreLocation.allCases)
    func inventoryListsByKindThenName(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        for (kind, name) in [("Service", "watchtower"), ("Port", "ssh"), ("Service", "chainbot")] {
            try store.recordApplied(.sample(kind: kind, name: name))
        }
        #expect(try store.allApplied().map(\.reference) == ["Port/ssh", "Service/chainbot", "Service/watchtower"])
    }

    @Test(arguments: StoreLocation.allCases)
    func deletingForgetsOnlyThatResource(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        try store.recordApplied(.sample(name: "chainbot"))
        try store.recordApplied(.sample(name: "watchtower"))
        #expect(try store.deleteApplied(kind: "Service", name: "chainbot"))
        #expect(try !store.deleteApplied(kind: "Service", name: "chainbot"))
        #expect(try store.allApplied().map(\.name) == ["watchtower"])
    }
}
