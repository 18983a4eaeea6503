import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport

/// A tree under `fixtures/hosts/NAME`: its files through `LocalFileSystem`, `vcgencmd get_throttled` from
/// `vcgencmd/get_throttled` and disk space from `statvfs` (`PATH TOTAL AVAILABLE` per line).
struct HostFixture {
    let root: String

    init(_ name: String) {
        root = Fixtures.path("fixtures/hosts/" + name)
    }

    /// A reader over the tree; vcgencmd answers from the captured file, or is missing when it is not there.
    func reader(runner: FakeCommandRunner = FakeCommandRunner()) -> PiHardwareReader {
        if let output = Fixtures.readText(root + "/vcgencmd/get_throttled") {
            runner.script("vcgencmd", ["get_throttled"], output: output)
        }
        let disks = Self.disks(Fixtures.readText(root + "/statvfs") ?? "")
        return PiHardwareReader(fileSystem: LocalFileSystem(root: root), runner: runner) { path in
            disks.first { $0.path == path }
        }
    }

    static func disks(_ text: String) -> [PiHardware.DiskSpace] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let total = UInt64(fields[1]), let available = UInt64(fields[2]) else {
                return nil
            }
            return PiHardware.DiskSpace(path: String(fields[0]), totalBytes: total, availableBytes: available)
        }
    }
}
