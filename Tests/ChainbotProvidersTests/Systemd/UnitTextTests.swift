import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct UnitTextTests {
    static let raw = "[Unit]\nDescription=Watchtower\n\n[Service]\nExecStart=/usr/bin/watchtower\n"

    @Test(arguments: [
        "[Unit]\r\nDescription=Watchtower\r\n\r\n[Service]\r\nExecStart=/usr/bin/watchtower\r\n",
        "[Unit]  \nDescription=Watchtower\t\n\n[Service]\nExecStart=/usr/bin/watchtower   ",
        "[Unit]\nDescription=Watchtower\n\n[Service]\nExecStart=/usr/bin/watchtower\n\n\n\n",
        "[Unit]\nDescription=Watchtower \r\n\n[Service]\nExecStart=/usr/bin/watchtower",
    ])
    func normalizesLineEndsTrailingBlanksAndTheFinalNewline(variant: String) {
        #expect(UnitText.normalize(variant) == Self.raw)
    }

    @Test func keepsEmptyTextEmpty() {
        #expect(UnitText.normalize("") == "")
        #expect(UnitText.normalize(" \n\r\n") == "")
    }

    @Test(arguments: [
        "[Unit]\r\nDescription=Watchtower\r\n\r\n[Service]\r\nExecStart=/usr/bin/watchtower\r\n",
        "[Unit]  \nDescription=Watchtower\n\n[Service]\nExecStart=/usr/bin/watchtower\n\n",
    ])
    func seesNoDriftWhenDiskAndManifestDifferOnlyInSpelling(onDisk: String) async throws {
        let manifestText = "[Unit]\nDescription=Watchtower   \n\n[Service]\nExecStart=/usr/bin/watchtower"
        let spec = ServiceSpec(
            unitName: "watchtower.service", definition: .raw(manifestText),
            dropIns: [NamedText(name: "limits", text: "[Service]\r\nLimitNOFILE=4096\r\n")])
        let fileSystem = FakeFileSystem(
            root: "/image",
            files: [
                "/etc/systemd/system/watchtower.service": onDisk,
                "/etc/systemd/system/watchtower.service.d/limits.conf": "[Service]\nLimitNOFILE=4096  \n\n",
            ])
        let runner = FakeCommandRunner()
        let provider = SystemdProvider(runner: runner, fileSystem: fileSystem, mode: .offline)
        let id = ResourceID(.service, "watchtower")

        let desired = try await provider.render(id, spec: .service(spec), previous: nil).facets
        let observed = try #require(try await provider.observe([ObserveTarget(id: id, spec: .service(spec))])[id])

        for facet in desired where facet.name != "enabled" {
            #expect(observed.facets[facet.name] == facet.value, "\(facet.name)")
        }
        #expect(runner.invocations.isEmpty)
    }
}
