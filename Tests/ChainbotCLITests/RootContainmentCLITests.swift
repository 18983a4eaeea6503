import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `--root DIR` keeps every path inside DIR: links in an image that point at the build machine's files
/// lead to the image's own files, so apply, prune, diff and snapshot neither change nor show anything
/// outside; relative `--root` and `--state` are relative to the working directory.
@Suite struct RootContainmentCLITests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// A work directory holding `image/` and, beside it, `outside/` with a file the image links lead to.
    struct Layout {
        let work = TemporaryDirectory("chainbot-contain-cli")
        var image: String { work.file("image") }
        var outside: String { work.file("outside") }

        init() {
            work.write("outside/app.conf", "outside's own\n")
            work.write("outside/hostname", "build-machine\n")
            work.write("outside/config.txt", "outside=1\n")
            mkdir(image, 0o755)
        }

        /// Every path under OUTSIDE with its bytes.
        func outsideFiles() -> [String] {
            Fixtures.list(outside, hidden: true).map { "\($0): \(Fixtures.readText(outside + "/" + $0) ?? "?")" }
        }
    }

    static func configFile(_ name: String, path: String, content: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: \(name)}
        spec: {path: \(path), content: "\(content)\\n"}
        ---

        """
    }

    @Test func applyWritesAConfigFileUnderALinkedDirectoryInsideTheImage() async throws {
        let layout = Layout()
        let before = layout.outsideFiles()
        symlink(layout.outside, layout.image + "/srv")
        let manifests = layout.work.write("m/files.yaml", Self.configFile("x", path: "/srv/sub/x", content: "mine"))

        let apply = await CLIHarness.run(["apply", "-f", manifests, "--root", layout.image])

        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(layout.outsideFiles() == before)
        #expect(!Fixtures.exists(layout.outside + "/sub"))
        #expect(Fixtures.readText(layout.image + layout.outside + "/sub/x") == "mine\n")
    }

    @Test func pruneNeverRemovesAFileOutsideTheImage() async throws {
        let layout = Layout()
        let keep = Self.configFile("keep", path: "/etc/keep.conf", content: "keep")
        let manifests = layout.work.write(
            "m/files.yaml", keep + Self.configFile("app", path: "/etc/app/app.conf", content: "x"))
        let first = await CLIHarness.run(["apply", "-f", manifests, "--root", layout.image])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        // The image's /etc/app becomes a link out to where another app.conf lives.
        TemporaryDirectory.remove(layout.image + "/etc/app")
        symlink("../../outside", layout.image + "/etc/app")
        let before = layout.outsideFiles()
        Fixtures.write(manifests, keep)

        let prune = await CLIHarness.run(["apply", "--prune", "-f", manifests, "--root", layout.image])

        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(layout.outsideFiles() == before)
    }

    @Test func diffNeverShowsAFileOutsideTheImage() async throws {
        let layout = Layout()
        mkdir(layout.image + "/etc", 0o755)
        symlink(layout.outside, layout.image + "/etc/app")
        let manifests = layout.work.write(
            "m/files.yaml", Self.configFile("app", path: "/etc/app/app.conf", content: "mine"))

        let diff = await CLIHarness.run(["diff", "-f", manifests, "--root", layout.image])

        #expect(diff.status == 1, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("+ ConfigFile/app will be created"), "\(diff.stdout)")
        #expect(!diff.stdout.contains("outside's own"))
    }

    @Test func snapshotCopiesNothingALinkPointsAtOutsideTheSource() async throws {
        let layout = Layout()
        layout.work.write("image/etc/os-release", "ID=debian\n")
        symlink(layout.outside + "/hostname", layout.image + "/etc/hostname")
        mkdir(layout.image + "/boot", 0o755)
        symlink("../../outside", layout.image + "/boot/firmware")
        symlink(layout.outside, layout.image + "/srv")
        let manifests = layout.work.write("m/files.yaml", Self.configFile("app", path: "/srv/app.conf", content: "x"))
        let snapshot = layout.work.file("snapshot")

        let run = await CLIHarness.run(["snapshot", "--root", layout.image, "-f", manifests, snapshot])

        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Fixtures.readText(snapshot + "/etc/os-release") == "ID=debian\n")
        #expect(!Fixtures.exists(snapshot + "/etc/hostname"))
        #expect(!Fixtures.exists(snapshot + "/boot/firmware/config.txt"))
        #expect(!Fixtures.exists(snapshot + "/srv/app.conf"))
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func relativeRootAndStateAreRelativeToTheWorkingDirectory() async throws {
        let layout = Layout()
        // A fresh name, so that the old behaviour (`/NAME/var/lib/chainbot` at the filesystem root) shows.
        let name = "chainbot-img-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            TemporaryDirectory.remove("/" + name)
            TemporaryDirectory.remove("/" + name + "-state")
        }
        mkdir(layout.work.file(name), 0o755)
        layout.work.write("m/files.yaml", Self.configFile("x", path: "/etc/x.conf", content: "x"))
        let runner = SpawnCommandRunner()
        func chainbot(_ arguments: [String]) async throws -> CommandResult {
            // env -C: run in the work directory without changing this test process's own.
            try await runner.run(
                CommandInvocation("env", ["-C", layout.work.path, Self.binary] + arguments, timeout: .seconds(60)))
        }

        let apply = try await chainbot(["apply", "-f", "m", "--root", name])
        let withState = try await chainbot(["apply", "-f", "m", "--root", name, "--state", name + "-state/s.db"])

        #expect(apply.termination == .exited(0), "\(apply.output)\(apply.errorOutput)")
        #expect(withState.termination == .exited(0), "\(withState.output)\(withState.errorOutput)")
        #expect(Fixtures.readText(layout.work.file(name + "/etc/x.conf")) == "x\n")
        #expect(Fixtures.exists(layout.work.file(name + "/var/lib/chainbot/state.db")))
        #expect(Fixtures.exists(layout.work.file(name + "-state/s.db")))
        #expect(!Fixtures.exists("/" + name))
        #expect(!Fixtures.exists("/" + name + "-state"))
    }
}
