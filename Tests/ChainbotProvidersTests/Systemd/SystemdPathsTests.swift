import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct SystemdPathsTests {
    @Test func namesDropInFilesWithOneConfSuffix() throws {
        #expect(try SystemdPaths.dropInFileName("limits") == "limits.conf")
        #expect(try SystemdPaths.dropInFileName("10-limits.conf") == "10-limits.conf")
        #expect(
            try SystemdPaths.dropInFile(unit: "chainbot.service", fileName: "limits.conf")
                == "/etc/systemd/system/chainbot.service.d/limits.conf")
    }

    @Test(arguments: ["../limits", "a/b", ".", "..", "", "x\ny", ".hidden"])
    func refusesDropInNamesThatLeaveTheirFolder(name: String) {
        #expect(throws: ProviderError.self) { try SystemdPaths.dropInFileName(name) }
    }

    @Test(arguments: [
        "../x.service", "a/b.service", "x.service/", ".service", "x", "x.target", "-x.service", "x y.service",
    ])
    func refusesServiceUnitNamesSystemdWouldNotAccept(unit: String) {
        #expect(throws: ProviderError.self) { try SystemdPaths.unitFile(unit) }
    }

    @Test func acceptsTemplateInstancesAndEscapedNames() throws {
        #expect(try SystemdPaths.unitFile("getty@tty1.service") == "/etc/systemd/system/getty@tty1.service")
        #expect(try SystemdPaths.unitFile(#"mnt-a\x2db.service"#) == #"/etc/systemd/system/mnt-a\x2db.service"#)
    }

    @Test func rendersNoFacetsForADropInNameWithASlash() async {
        let spec = ServiceSpec(
            unitName: "chainbot.service", definition: .raw("[Service]\n"),
            dropIns: [NamedText(name: "../../../etc/cron.d/x", text: "")])
        let provider = ServiceTestSupport.provider()

        await #expect(throws: ProviderError.self) {
            try await provider.render(ServiceTestSupport.id, spec: .service(spec), previous: nil)
        }
    }
}
