import ChainbotCore
import ChainbotProviders
import ChainbotTestSupport
import Glibc
import Testing

/// `bootConfig` applied through the provider: only chainbot's keys change, in the right section, every
/// other byte stays, the older `/boot/config.txt` is used when it is the only one, and a reboot is marked
/// (live) but never done.
struct HostProviderBootConfigTests {
    static let original = """
        # For more options and information see
        # http://rptl.io/configtxt
        dtparam=audio=off
        camera_auto_detect=1

        [pi4]
        # Run as fast as firmware / board allows
        arm_boost=1
        dtoverlay=vc4-kms-v3d
        dtoverlay=gpio-fan,gpiopin=14

        [cm4]
        otg_mode=1

        [all]
        enable_uart=1

        """

    static let spec = HostSpec(bootConfig: [
        BootConfigSection(
            section: "all",
            entries: [
                BootConfigEntry(key: "dtparam", values: ["audio=on"]), BootConfigEntry(key: "arm_64bit", values: ["1"]),
            ]),
        BootConfigSection(
            section: "pi4", entries: [BootConfigEntry(key: "dtoverlay", values: ["vc4-kms-v3d", "disable-bt"])]),
    ])

    @Test func editsOnlyChainbotsKeysInTheirSectionsAndMarksRebootRequired() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("boot/firmware/config.txt", Self.original)
        chmod(tree.file("boot/firmware/config.txt"), 0o755)  // as on the FAT boot partition
        let harness = HostProviderHarness.live(root: tree.path)

        let planned = try await harness.apply(Self.spec)
        #expect(
            planned.facets == [
                "boot config [all] dtparam", "boot config [all] arm_64bit", "boot config [pi4] dtoverlay",
            ])
        #expect(
            planned.actions.map(\.description) == [
                "write /boot/firmware/config.txt", "write /run/chainbot/reboot-required",
            ])
        #expect(
            harness.read("/boot/firmware/config.txt") == """
                # For more options and information see
                # http://rptl.io/configtxt
                dtparam=audio=on
                camera_auto_detect=1

                [pi4]
                # Run as fast as firmware / board allows
                arm_boost=1
                dtoverlay=vc4-kms-v3d
                dtoverlay=disable-bt

                [cm4]
                otg_mode=1

                [all]
                enable_uart=1
                arm_64bit=1

                """)
        var info = stat()
        #expect(stat(tree.file("boot/firmware/config.txt"), &info) == 0 && info.st_mode & 0o7777 == 0o755)
        #expect(!harness.runner.commandLines.contains { $0.hasPrefix("reboot") || $0.hasPrefix("systemctl") })

        let again = try await harness.plan(Self.spec)
        #expect(again.changes.isEmpty)
        #expect(again.actions.isEmpty)
        #expect(again.observed.health == .progressing)
        #expect(again.observed.healthReason?.hasPrefix("reboot required (/boot/firmware/config.txt changed") == true)
    }

    @Test func anAlreadyConvergedFileIsNotRewritten() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write(
            "boot/firmware/config.txt",
            "dtparam=audio=on\narm_64bit=1\n[pi4]\ndtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\n")
        let planned = try await HostProviderHarness.live(root: tree.path).plan(Self.spec)
        #expect(planned.changes.isEmpty)
        #expect(planned.actions.isEmpty)
        #expect(planned.observed.health == .healthy)
    }

    @Test func repeatedDtoverlayOrderIsDrift() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write(
            "boot/firmware/config.txt",
            "dtparam=audio=on\narm_64bit=1\n[pi4]\ndtoverlay=disable-bt\ndtoverlay=vc4-kms-v3d\n")
        let harness = HostProviderHarness.live(root: tree.path)
        let planned = try await harness.apply(Self.spec)
        #expect(planned.changes.map(\.facet) == ["boot config [pi4] dtoverlay"])
        #expect(planned.changes.first?.from == .text("dtoverlay=disable-bt\ndtoverlay=vc4-kms-v3d\n"))
        #expect(
            harness.read("/boot/firmware/config.txt")?.hasSuffix("[pi4]\ndtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\n")
                == true)
    }

    @Test func usesBootConfigTxtWhenItIsTheOnlyOne() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("boot/config.txt", "# bullseye\r\ndtparam=audio=off\r\n")
        let harness = HostProviderHarness.live(root: tree.path)
        let planned = try await harness.apply(Self.spec)
        #expect(planned.actions.first?.description == "write /boot/config.txt")
        #expect(
            harness.read("/boot/config.txt")
                == "# bullseye\r\ndtparam=audio=on\r\narm_64bit=1\r\n\r\n[pi4]\r\ndtoverlay=vc4-kms-v3d\r\ndtoverlay=disable-bt\r\n"
        )
        #expect(harness.read("/boot/firmware/config.txt") == nil)
    }

    @Test func prefersBootFirmwareWhenBothExist() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("boot/config.txt", "DO NOT EDIT THIS FILE\n")
        tree.write("boot/firmware/config.txt", "")
        let harness = HostProviderHarness.live(root: tree.path)
        try await harness.apply(Self.spec)
        #expect(harness.read("/boot/config.txt") == "DO NOT EDIT THIS FILE\n")
        #expect(harness.read("/boot/firmware/config.txt")?.hasPrefix("dtparam=audio=on\narm_64bit=1\n") == true)
    }

    @Test func aMissingFileIsCreatedOfflineWithoutARebootMarker() async throws {
        let image = TemporaryDirectory("chainbot-image")
        let harness = HostProviderHarness.offline(root: image.path)
        let planned = try await harness.apply(Self.spec)
        #expect(planned.changes.allSatisfy { $0.from == .absent })
        #expect(planned.actions.map(\.description) == ["write /boot/firmware/config.txt"])
        #expect(
            harness.read("/boot/firmware/config.txt")
                == "dtparam=audio=on\narm_64bit=1\n\n[pi4]\ndtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\n")
        #expect(harness.read("/run/chainbot/reboot-required") == nil)
        #expect(harness.runner.commandLines.isEmpty)
        let again = try await harness.plan(Self.spec)
        #expect(again.changes.filter { $0.facet.hasPrefix("boot config") }.isEmpty)
    }

    @Test func anEmptyListRemovesAKeyAndLeavesTheRest() async throws {
        let tree = copyOfHostFixture("pi4-healthy")
        tree.write("boot/firmware/config.txt", Self.original)
        let harness = HostProviderHarness.live(root: tree.path)
        let spec = HostSpec(bootConfig: [
            BootConfigSection(section: "pi4", entries: [BootConfigEntry(key: "dtoverlay", values: [])])
        ])
        try await harness.apply(spec)
        let text = try #require(harness.read("/boot/firmware/config.txt"))
        #expect(!text.contains("dtoverlay"))
        #expect(text.contains("[pi4]\n# Run as fast as firmware / board allows\narm_boost=1\n\n[cm4]"))
    }

    @Test func refusesKeysAndValuesThatWouldBreakTheFileBeforeReadingIt() async throws {
        let harness = HostProviderHarness.offline(root: "/nonexistent-root")
        for spec in [
            HostSpec(bootConfig: [BootConfigSection(section: "all]\n[pi4", entries: [])]),
            HostSpec(bootConfig: [
                BootConfigSection(section: "all", entries: [BootConfigEntry(key: "a=b", values: ["1"])])
            ]),
            HostSpec(bootConfig: [
                BootConfigSection(section: "all", entries: [BootConfigEntry(key: "a", values: ["1\nb=2"])])
            ]),
        ] {
            await #expect(throws: ProviderError.self) {
                _ = try await harness.provider.render(HostProviderHarness.id, spec: .host(spec), previous: nil)
            }
        }
    }

    @Test func executeWritesOnlyTheHostsOwnFiles() async throws {
        let image = TemporaryDirectory("chainbot-image")
        let harness = HostProviderHarness.offline(root: image.path)
        await #expect(throws: ProviderError.self) {
            try await harness.provider.execute(.writeFile(FileWrite(path: "/etc/passwd", content: [])))
        }
        await #expect(throws: ProviderError.self) {
            try await harness.provider.execute(.systemctl(.restart, unit: "x.service"))
        }
    }
}
