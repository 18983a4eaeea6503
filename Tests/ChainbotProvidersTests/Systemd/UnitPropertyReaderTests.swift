import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// D-Bus values become the texts `systemctl show` prints, so `UnitStatus` reads both alike; each
/// property is asked of the interface that has it. (`SystemdReadsInTestbedTests` compares both ways
/// against a real systemd.)
@Suite struct UnitPropertyReaderTests {
    @Test func valuesAreSpelledAsSystemctlShowPrintsThem() {
        #expect(UnitPropertyReader.text(.string("active")) == "active")
        #expect(UnitPropertyReader.text(.boolean(true)) == "yes")
        #expect(UnitPropertyReader.text(.boolean(false)) == "no")
        #expect(UnitPropertyReader.text(.int32(-3)) == "-3")
        #expect(UnitPropertyReader.text(.uint64(18_446_744_073_709_551_615)) == "18446744073709551615")
        #expect(
            UnitPropertyReader.text(.array(elementSignature: "s", [.string("/etc/a.conf"), .string("/etc/b.conf")]))
                == "/etc/a.conf /etc/b.conf")
        #expect(UnitPropertyReader.text(.array(elementSignature: "s", [])) == "")
        #expect(UnitPropertyReader.text(.double(1.5)) == nil)
    }

    @Test func eachPropertyIsAskedOfTheInterfaceThatHasIt() {
        #expect(SystemdUnitProperties.typeInterface(ofUnit: "web.service") == "org.freedesktop.systemd1.Service")
        #expect(SystemdUnitProperties.typeInterface(ofUnit: "web.socket") == "org.freedesktop.systemd1.Socket")
        #expect(SystemdUnitProperties.typeInterface(ofUnit: "a.b.timer") == "org.freedesktop.systemd1.Timer")
        #expect(UnitPropertyReader.typeProperties == ["ExecMainStatus", "Result"])
        #expect(UnitStatus.properties.filter { !UnitPropertyReader.typeProperties.contains($0) }.count == 8)
    }

    @Test func aSocketThatIsNotThereMeansSystemctlIsAskedInstead() async {
        let reader = UnitPropertyReader(address: "/nonexistent/chainbot-test/private")
        #expect(await reader.statuses(["web.service"], UnitStatus.properties) == nil)
    }

    @Test func aProviderWhoseDBusSocketIsMissingObservesWithSystemctlShow() async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["show"], output: "Id=a.service\nLoadState=loaded\nActiveState=active\nSubState=running\n")
        let provider = SystemdProvider(
            runner: runner, fileSystem: FakeFileSystem(files: ["/etc/systemd/system/a.service": "[Service]\n"]),
            mode: .live, reads: .dbus(address: "/nonexistent/chainbot-test/private"))

        let observed = try await provider.observe([SystemdObserveTests.target("a")])

        #expect(runner.commandLines.count == 1)
        #expect(runner.commandLines.first?.hasPrefix("systemctl show --property=Id,") == true)
        #expect(observed[ResourceID(.service, "a")]?.facets["state"] == .word("running"))
    }
}
