import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

struct PiHardwareReaderTests {
    static func cpuZone(_ celsius: Double) -> [PiHardware.ThermalZone] {
        [PiHardware.ThermalZone(name: "thermal_zone0", type: "cpu-thermal", celsius: celsius)]
    }

    @Test func readsHealthyPi4() async throws {
        let hardware = try await HostFixture("pi4-healthy").reader().read()
        #expect(
            hardware
                == PiHardware(
                    model: "Raspberry Pi 4 Model B Rev 1.4", revision: "c03114", serial: "10000000a1b2c3d4",
                    cpuinfoModel: "Raspberry Pi 4 Model B Rev 1.4", thermalZones: Self.cpuZone(48.312),
                    memory: .init(totalKB: 3_882_408, availableKB: 3_301_876),
                    load: .init(one: 0.15, five: 0.10, fifteen: 0.05), uptimeSeconds: 86423.51, hostname: "alexos-pi",
                    throttling: ThrottleStatus(raw: 0),
                    disks: [.init(path: "/", totalBytes: 31_254_904_832, availableBytes: 24_117_248_000)]))
    }

    @Test func readsHotPi4() async throws {
        let hardware = try await HostFixture("pi4-hot").reader().read()
        #expect(hardware.thermalZones == Self.cpuZone(82))
        #expect(hardware.maximumCelsius == 82)
        #expect(hardware.throttling?.active == [.softTempLimit])
        #expect(hardware.throttling?.occurred == [.frequencyCapped, .softTempLimit])
        #expect(hardware.hostname == "alexos-pi-hot")
    }

    @Test func readsUndervoltagePi5FromTheDeviceTreeFallback() async throws {
        let runner = FakeCommandRunner()
        let hardware = try await HostFixture("pi5-undervoltage").reader(runner: runner).read()
        #expect(hardware.model == "Raspberry Pi 5 Model B Rev 1.0")
        #expect(hardware.revision == "d04170")
        #expect(hardware.serial == "4f2a9c1d8e3b7a60")
        #expect(hardware.cpuinfoModel == "Raspberry Pi 5 Model B Rev 1.0")
        #expect(hardware.memory?.availableMB == 7431)
        #expect(hardware.throttling == ThrottleStatus(raw: 0x50005))
        #expect(hardware.throttling?.active == [.underVoltage, .throttled])
        #expect(hardware.throttling?.occurred == [.underVoltage, .throttled])
        #expect(hardware.throttlingUnavailable == nil)
        #expect(runner.commandLines == ["vcgencmd get_throttled"])
    }

    @Test func readsNearlyFullDisk() async throws {
        let hardware = try await HostFixture("pi4-disk-nearly-full").reader().read(diskPaths: ["/", "/boot/firmware"])
        #expect(hardware.disks.map(\.path) == ["/", "/boot/firmware"])
        let root = try #require(hardware.disks.first)
        #expect(root.availablePercent > 2.9 && root.availablePercent < 3.1)
        #expect(hardware.uptimeSeconds == 604812.40)
    }

    @Test func stripsTheNulOfTheDeviceTreeModel() async throws {
        let directory = TemporaryDirectory("chainbot-host")
        directory.write("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        directory.write("sys/firmware/devicetree/base/model", "not read\0")
        let hardware = try await PiHardwareReader(
            fileSystem: LocalFileSystem(root: directory.path), runner: FakeCommandRunner()
        ).read()
        #expect(hardware.model == "Raspberry Pi 4 Model B Rev 1.4")
        #expect(hardware.model?.utf8.contains(0) == false)
    }

    @Test func emptyTreeReadsAsNothingWithoutCrashing() async throws {
        let directory = TemporaryDirectory("chainbot-host")
        let hardware = try await PiHardwareReader(
            fileSystem: LocalFileSystem(root: directory.path), runner: FakeCommandRunner()
        ).read()
        #expect(hardware.model == nil)
        #expect(hardware.thermalZones.isEmpty)
        #expect(hardware.memory == nil)
        #expect(hardware.disks.isEmpty)
        #expect(hardware.throttling == nil)
        let reason = try #require(hardware.throttlingUnavailable)
        #expect(reason.hasPrefix("vcgencmd is not available: cannot run 'vcgencmd get_throttled'"))
    }

    @Test func missingThermalDirectoryGivesNoZones() async throws {
        let directory = TemporaryDirectory("chainbot-host")
        directory.write("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        directory.write("sys/class/power_supply/.keep", "")
        let hardware = try await PiHardwareReader(
            fileSystem: LocalFileSystem(root: directory.path), runner: FakeCommandRunner()
        ).read()
        #expect(hardware.model == "Raspberry Pi 4 Model B Rev 1.4")
        #expect(hardware.thermalZones.isEmpty)
        #expect(hardware.maximumCelsius == nil)
    }

    @Test func failingOrOddVcgencmdIsAReasonNotAnError() async throws {
        let directory = TemporaryDirectory("chainbot-host")
        let failing = FakeCommandRunner()
        failing.script("vcgencmd", ["get_throttled"], exitCode: 255, errorOutput: "VCHI initialization failed\n")
        let failed = try await PiHardwareReader(fileSystem: LocalFileSystem(root: directory.path), runner: failing)
            .read()
        #expect(failed.throttling == nil)
        #expect(failed.throttlingUnavailable?.contains("VCHI initialization failed") == true)

        let odd = FakeCommandRunner()
        odd.script("vcgencmd", ["get_throttled"], output: "error=1 error_msg=\"Command not registered\"\n")
        let unexpected = try await PiHardwareReader(fileSystem: LocalFileSystem(root: directory.path), runner: odd)
            .read()
        #expect(unexpected.throttling == nil)
        #expect(unexpected.throttlingUnavailable?.contains("not throttled=0x") == true)
    }
}
