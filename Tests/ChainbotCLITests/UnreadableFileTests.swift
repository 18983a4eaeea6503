import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A unit file or a ConfigFile path that cannot be read (a FIFO where a file should be) fails that
/// resource alone, with the path and why: the others of its kind in the same manifests are applied
/// (DESIGN: independent resources still converge). The real binary on a real directory (`--root`).
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct UnreadableFileTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// Applies resources a, b and c of `kind` (`spec` gives each its spec) under a fresh root where a FIFO
    /// stands at `fifo` (a path inside the root); the directory (removed when it goes), the root and what
    /// apply printed.
    static func apply(kind: String, fifo: String, spec: (String) -> String) async throws -> (
        work: TemporaryDirectory, root: String, applied: CommandResult, text: String
    ) {
        let work = TemporaryDirectory("chainbot-unreadable")
        let root = work.file("root")
        var directory = root
        mkdir(directory, 0o755)
        for component in fifo.split(separator: "/").dropLast() {
            directory += "/" + component
            mkdir(directory, 0o755)
        }
        #expect(mkfifo(root + fifo, 0o644) == 0)
        let manifest = work.write(
            "m.yaml",
            ["a", "b", "c"].map {
                "apiVersion: chainbot.dev/v1\nkind: \(kind)\nmetadata: {name: \($0)}\nspec: \(spec($0))\n"
            }
            .joined(separator: "---\n"))
        let applied = try await SpawnCommandRunner().run(
            CommandInvocation(binary, ["apply", "-f", manifest, "--root", root], timeout: .seconds(120)))
        return (work, root, applied, applied.output + applied.errorOutput)
    }

    @Test func aFIFOAsAUnitFileFailsThatServiceAloneAndTheOthersAreApplied() async throws {
        let (work, root, applied, text) = try await Self.apply(kind: "Service", fifo: "/etc/systemd/system/a.service") {
            _ in "{exec: /bin/sleep infinity, enabled: false}"
        }
        defer { withExtendedLifetime(work) {} }
        let units = root + "/etc/systemd/system"

        #expect(applied.termination != .exited(0), "\(text)")
        #expect(text.contains("Service/a"), "\(text)")
        #expect(text.contains("/etc/systemd/system/a.service: not a regular file (a FIFO)"), "\(text)")
        for name in ["b", "c"] {
            let unit = Fixtures.readText("\(units)/\(name).service") ?? ""
            #expect(unit.contains("ExecStart=/bin/sleep infinity"), "\(name): \(text)")
        }
        var info = stat()
        #expect(lstat(units + "/a.service", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO is left")
    }

    @Test func aConfigFileWhosePathIsAFIFOFailsAloneAndTheOthersAreWritten() async throws {
        let (work, root, applied, text) = try await Self.apply(kind: "ConfigFile", fifo: "/etc/a.conf") {
            "{path: /etc/\($0).conf, content: \"x\"}"
        }
        defer { withExtendedLifetime(work) {} }

        #expect(applied.termination != .exited(0), "\(text)")
        #expect(text.contains("! ConfigFile/a: cannot plan"), "\(text)")
        #expect(text.contains("cannot manage /etc/a.conf: it is not a regular file"), "\(text)")
        #expect(Fixtures.readText(root + "/etc/b.conf") == "x", "\(text)")
        #expect(Fixtures.readText(root + "/etc/c.conf") == "x", "\(text)")
    }
}
