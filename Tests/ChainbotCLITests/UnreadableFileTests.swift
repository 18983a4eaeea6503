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

    @Test func aFIFOAsAUnitFileFailsThatServiceAloneAndTheOthersAreApplied() async throws {
        let work = TemporaryDirectory("chainbot-unreadable-unit")
        let root = work.file("root")
        mkdir(root, 0o755)
        let units = root + "/etc/systemd/system"
        for directory in ["/etc", "/etc/systemd", "/etc/systemd/system"] { mkdir(root + directory, 0o755) }
        #expect(mkfifo(units + "/a.service", 0o644) == 0)
        let manifest = work.write(
            "m.yaml",
            ["a", "b", "c"].map {
                "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: \($0)}\n"
                    + "spec: {exec: /bin/sleep infinity, enabled: false}\n"
            }.joined(separator: "---\n"))
        let runner = SpawnCommandRunner()
        let applied = try await runner.run(
            CommandInvocation(Self.binary, ["apply", "-f", manifest, "--root", root], timeout: .seconds(120)))
        let text = applied.output + applied.errorOutput

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
        let work = TemporaryDirectory("chainbot-unreadable-file")
        let root = work.file("root")
        mkdir(root, 0o755)
        mkdir(root + "/etc", 0o755)
        #expect(mkfifo(root + "/etc/a.conf", 0o644) == 0)
        let manifest = work.write(
            "m.yaml",
            ["a", "b", "c"].map {
                "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: \($0)}\n"
                    + "spec: {path: /etc/\($0).conf, content: \"x\"}\n"
            }.joined(separator: "---\n"))
        let applied = try await SpawnCommandRunner().run(
            CommandInvocation(Self.binary, ["apply", "-f", manifest, "--root", root], timeout: .seconds(120)))
        let text = applied.output + applied.errorOutput

        #expect(applied.termination != .exited(0), "\(text)")
        #expect(text.contains("! ConfigFile/a: cannot plan"), "\(text)")
        #expect(text.contains("cannot manage /etc/a.conf: it is not a regular file"), "\(text)")
        #expect(Fixtures.readText(root + "/etc/b.conf") == "x", "\(text)")
        #expect(Fixtures.readText(root + "/etc/c.conf") == "x", "\(text)")
    }
}
