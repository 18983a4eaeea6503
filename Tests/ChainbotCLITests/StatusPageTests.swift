import ChainbotCore
import Testing

@testable import ChainbotCLI

/// The status page from the status JSON the endpoint serves.
@Suite struct StatusPageTests {
    static func status(suspended: Bool, pin: JSONValue = .null) -> JSONValue {
        .object([
            ("agent", .object([("generation", .string("3f9a71c2e8d54b60aa")), ("pin", pin)])),
            ("counts", .object([("total", .int(1)), ("outOfSync", .int(0)), ("degraded", .int(0))])),
            (
                "resources",
                .array([
                    .object([
                        ("kind", .string("Service")), ("name", .string("web")), ("sync", .string("Synced")),
                        ("health", .string("Healthy")), ("suspended", .bool(suspended)), ("conditions", .array([])),
                    ])
                ])
            ),
            ("events", .array([])),
        ])
    }

    @Test func aSuspendedResourceIsMarkedHeld() {
        #expect(StatusPage.html(Self.status(suspended: true)).contains(#"web <span class="pill held">held</span>"#))
        #expect(!StatusPage.html(Self.status(suspended: false)).contains(#"class="pill held""#))
    }

    @Test func aPinIsShownWhereTheGenerationIs() {
        let pinned = StatusPage.html(Self.status(suspended: false, pin: .object([("revision", .int(12))])))
        #expect(pinned.contains("generation pinned to revision 12"))
        #expect(StatusPage.html(Self.status(suspended: false)).contains("generation 3f9a71c2e8d54b60aa"))
    }
}
