import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport

/// A tree under `fixtures/proc-net/NAME` (a `proc/` directory) and the golden reading beside it.
struct ProcNetFixture {
    /// Every case, as listed in fixtures/proc-net/README.md.
    static let names = ["alexos-pi", "alexos-pi-drift", "dual-stack", "hybrid-cgroup", "ipv6-disabled"]

    let root: String

    init(_ name: String) {
        root = Fixtures.path("fixtures/proc-net/" + name)
    }

    var fileSystem: LocalFileSystem { LocalFileSystem(root: root) }

    func read() throws -> [Listener] { try ListenerReader(fileSystem: fileSystem).read() }

    /// `listeners.txt`: the expected reading, one listener a line as `render` writes it.
    var golden: String? { Fixtures.readText(root + "/listeners.txt") }

    /// One line per listener: `tcp 0.0.0.0:80 inode 15512: 802 nginx nginx.service, 803 nginx nginx.service`.
    static func render(_ listeners: [Listener]) -> String {
        listeners.map { listener in
            let owners = listener.owners.map { "\($0.pid) \($0.command) \($0.unit ?? "-")" }
            let line =
                "\(listener.networkProtocol.rawValue) \(listener.endpoint) inode \(listener.inode): "
                + (owners.isEmpty ? "(no owner)" : owners.joined(separator: ", "))
            return listener.ownersComplete ? line : line + " (owners incomplete)"
        }.joined(separator: "\n") + "\n"
    }
}

/// The tests of `Sources/ChainbotProviders/Port`, under one name so that `swift test --filter Port` runs them all.
enum PortTests {}
