import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct SystemctlShowParserTests {
    static let units = ["chainbot.service", "watchtower.service", "ghost.service", "alexos.service"]

    func capture() throws -> [String: UnitStatus] {
        let text = try #require(Fixtures.readText(Fixtures.path("fixtures/systemd/show-four-units.txt")))
        return SystemctlShowParser.statuses(text, units: Self.units)
    }

    @Test func splitsACaptureIntoOneBlockPerUnitInArgumentOrder() throws {
        let text = try #require(Fixtures.readText(Fixtures.path("fixtures/systemd/show-four-units.txt")))
        let blocks = SystemctlShowParser.blocks(text)

        #expect(blocks.map(\.id) == Self.units)
        #expect(blocks[3].values["DropInPaths"] == "/etc/systemd/system/alexos.service.d/limits.conf")
        #expect(blocks[2].values["UnitFileState"] == "")
    }

    @Test func readsAnActiveEnabledUnitAsRunningAndHealthy() throws {
        let status = try #require(try capture()["chainbot.service"])

        #expect(status.enabled == .word("enabled"))
        #expect(status.state == .word("running"))
        #expect(status.health == (.healthy, "active (running)"))
        #expect(status.observation == UnitObservation())
    }

    @Test func readsAFailedUnitAsStoppedAndDegradedWithItsResult() throws {
        let status = try #require(try capture()["watchtower.service"])

        #expect(status.state == .word("stopped"))
        #expect(status.health == (.degraded, "failed: exit-code (status 1)"))
        #expect(status.observation == UnitObservation(failed: true))
    }

    @Test func readsAMissingUnitAsAbsentAndMissing() throws {
        let status = try #require(try capture()["ghost.service"])

        #expect(status.enabled == .absent)
        #expect(status.state == .absent)
        #expect(status.health == (.missing, "not found"))
    }

    @Test func hintsADaemonReloadWhenSystemdAsksForOne() throws {
        let status = try #require(try capture()["alexos.service"])

        #expect(status.observation == UnitObservation(needsDaemonReload: true))
        #expect(status.health.0 == .healthy)
    }

    @Test func matchesBlocksByIdWhenSystemdPrintedFewerThanAsked() {
        let output = "Id=b.service\nLoadState=loaded\nActiveState=inactive\n"
        let statuses = SystemctlShowParser.statuses(output, units: ["a.service", "b.service"])

        #expect(statuses["b.service"]?.state == .word("stopped"))
        #expect(statuses["a.service"] == UnitStatus())
        #expect(UnitStatus().health == (.unknown, "systemctl show did not report the unit"))
    }

    @Test(arguments: [
        ("enabled", "enabled"), ("enabled-runtime", "enabled"), ("disabled", "disabled"), ("static", "static"),
        ("masked", "masked"), ("masked-runtime", "masked"), ("indirect", "indirect"),
    ])
    func mapsUnitFileStateToTheEnabledWord(fileState: String, word: String) {
        let status = UnitStatus(["LoadState": "loaded", "UnitFileState": fileState])
        #expect(status.enabled == .word(word))
    }

    @Test(arguments: [
        ("active", "running", Health.healthy), ("reloading", "running", .healthy),
        ("activating", "running", .progressing),
        ("deactivating", "stopped", .progressing), ("inactive", "stopped", .unknown), ("failed", "stopped", .degraded),
    ])
    func mapsActiveStateToStateAndHealth(activeState: String, state: String, health: Health) {
        let status = UnitStatus(["LoadState": "loaded", "ActiveState": activeState])
        #expect(status.state == .word(state))
        #expect(status.health.0 == health)
    }

    @Test func reportsAnInactiveUnitAsUnknownSayingInactive() {
        #expect(UnitStatus(["LoadState": "loaded", "ActiveState": "inactive"]).health == (.unknown, "inactive"))
    }

    @Test func reportsABadUnitFileAsDegraded() {
        let status = UnitStatus(["LoadState": "bad-setting", "ActiveState": "inactive"])
        #expect(status.health == (.degraded, "load: bad-setting"))
    }
}
