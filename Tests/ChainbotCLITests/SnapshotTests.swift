import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// `chainbot snapshot DIR` copies what chainbot reads into a host root, and `chainbot diff --root DIR`
/// then compares manifests with it offline.
@Suite struct SnapshotTests {
    static let host = """
        apiVersion: chainbot.dev/v1
        kind: Host
        metadata: {name: pi}
        spec:
          model: "Raspberry Pi 4*"
          hostname: alexos-pi
          thermal: {warnC: 70, critC: 85}
          throttling: {forbid: [underVoltage, throttled, softTempLimit]}
          disk: {minFreePercent: 10}
          memory: {minAvailableMB: 256}
          bootConfig:
            all:
              dtparam: [audio=on]
            pi4:
              dtoverlay: [vc4-kms-v3d, disable-bt]

        """

    /// A Pi 4 root with the files a converged Host has, a unit with a secret in its environment, an
    /// enablement link, a plain ConfigFile and a secret one.
    static func convergedPi(_ work: TemporaryDirectory) -> String {
        let root = work.file("pi")
        mkdir(root, 0o755)
        for name in Fixtures.list(Fixtures.path("fixtures/hosts/pi4-healthy")) {
            _ = copy(Fixtures.path("fixtures/hosts/pi4-healthy/" + name), to: root + "/" + name)
        }
        work.write("pi/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\talexos-pi\n")
        work.write(
            "pi/boot/firmware/config.txt", "dtparam=audio=on\n[pi4]\ndtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\n")
        work.write(
            "pi/etc/systemd/system/chainbot.service",
            "[Service]\nEnvironment=PORT=9000 API_TOKEN=abc123\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"
        )
        mkdir(root + "/etc/systemd/system/multi-user.target.wants", 0o755)
        symlink(
            "/etc/systemd/system/chainbot.service",
            root + "/etc/systemd/system/multi-user.target.wants/chainbot.service")
        work.write("pi/etc/app/app.conf", "plain\n")
        chmod(root + "/etc/app/app.conf", 0o640)
        work.write("pi/etc/app/app.env", "TOKEN=hunter2\n")
        work.write("pi/etc/chainbot/secrets/app", "hunter2\n")
        return root
    }

    static func copy(_ source: String, to destination: String) -> Bool {
        var info = stat()
        guard lstat(source, &info) == 0 else { return false }
        if info.st_mode & S_IFMT == S_IFDIR {
            mkdir(destination, 0o755)
            for name in Fixtures.list(source, hidden: true) {
                _ = copy(source + "/" + name, to: destination + "/" + name)
            }
            return true
        }
        return Fixtures.read(source).map { Fixtures.write(destination, $0) } ?? false
    }

    @Test func aSnapshotOfAConvergedPiDiffsCleanOffline() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        let pi = Self.convergedPi(work)
        let manifests = work.write("manifests/host.yaml", Self.host)
        work.write(
            "manifests/files.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-conf}
            spec: {path: /etc/app/app.conf, content: "plain\\n"}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-env}
            spec:
              path: /etc/app/app.env
              env: {TOKEN: {secretRef: {file: /etc/chainbot/secrets/app}}}

            """)
        let snapshot = work.file("snapshot")

        let run = await CLIHarness.run(["snapshot", "--root", pi, "-f", work.file("manifests"), snapshot])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("withheld (secrets): /etc/app/app.env (ConfigFile/app-env)"))
        #expect(Fixtures.readText(snapshot + "/etc/app/app.conf") == "plain\n")
        #expect(!Fixtures.exists(snapshot + "/etc/app/app.env"))
        #expect(!Fixtures.exists(snapshot + "/etc/chainbot"))
        #expect(Fixtures.readText(snapshot + "/vcgencmd/get_throttled") == "throttled=0x0\n")
        #expect(Fixtures.readText(snapshot + "/proc/device-tree/model") == "Raspberry Pi 4 Model B Rev 1.4\0")
        #expect(
            Fixtures.readText(snapshot + "/etc/systemd/system/chainbot.service")?.contains(
                "Environment=PORT=9000 API_TOKEN=REDACTED\n") == true)
        var link = [CChar](repeating: 0, count: 256)
        let length = readlink(snapshot + "/etc/systemd/system/multi-user.target.wants/chainbot.service", &link, 255)
        #expect(length > 0)
        let index = try #require(Fixtures.readText(snapshot + "/SNAPSHOT.txt"))
        #expect(index.contains("redacted Environment= values:\n  /etc/systemd/system/chainbot.service: API_TOKEN\n"))
        #expect(!index.contains("hunter2") && !index.contains("abc123"))

        let diff = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifests, "--kind", "Host"])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout == "0 unchanged.\n" || diff.stdout.hasPrefix("1 unchanged."), "\(diff.stdout)")
    }

    /// A ConfigFile at 0640 that only its group may read, its manifest, and a Watchtower targets file holding
    /// the manifests' target, at a path of its own.
    static func privateFileRoot(_ work: TemporaryDirectory, owner: String = "") -> (root: String, manifests: String) {
        let root = work.file("image")
        let ownership = owner.isEmpty ? "" : "  owner: \(owner)\n  group: \(owner)\n"
        work.write(
            "manifests/files.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-conf}
            spec:
              path: /etc/app/app.conf
              content: "level=info\\n"
              mode: "0640"
            \(ownership)---
            apiVersion: chainbot.dev/v1
            kind: WatchtowerTarget
            metadata: {name: app-unit}
            spec: {type: systemd, target: app.service}

            """)
        work.write("image/etc/app/app.conf", "level=info\n")
        chmod(root + "/etc/app/app.conf", 0o640)
        work.write(
            "image/srv/watchtower/targets.yaml",
            """
            targets:
            - name: app-unit
              type: systemd
              target: app.service
              interval: 30s
              timeout: 5s
              failure_threshold: 3
              recovery_threshold: 1
              severity: warning
              managed_by: chainbot

            """)
        return (root, work.file("manifests"))
    }

    static func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o7777)
    }

    @Test func keepsTheModeOfAFileOthersCannotReadAndCapturesTheTargetsFile() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        let (image, manifests) = Self.privateFileRoot(work)
        let targets = ["--watchtower-targets", "/srv/watchtower/targets.yaml"]
        #expect(await CLIHarness.run(["diff", "--root", image, "-f", manifests] + targets).status == 0)
        let snapshot = work.file("snapshot")

        let run = await CLIHarness.run(["snapshot", "--root", image, "-f", manifests] + targets + [snapshot])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.hasSuffix(
                "compare offline: chainbot diff --root \(snapshot) --watchtower-targets /srv/watchtower/targets.yaml"
                    + " -f MANIFESTS\n"), "\(run.stdout)")
        #expect(Self.mode(snapshot + "/etc/app/app.conf") == 0o640)
        #expect(Fixtures.exists(snapshot + "/srv/watchtower/targets.yaml"))

        let diff = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifests] + targets)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.hasPrefix("2 unchanged.\n"), "\(diff.stdout)")
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a copy another owner"))
    func keepsOwnerAndGroupByTheNamesOfTheSnapshotsOwnAccounts() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        // A user this machine does not have, known only to the image.
        let (image, manifests) = Self.privateFileRoot(work, owner: "snapuser")
        work.write("image/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nsnapuser:x:4321:4321::/home/snapuser:/bin/sh\n")
        work.write("image/etc/group", "root:x:0:\nsnapuser:x:4321:\n")
        #expect(chown(image + "/etc/app/app.conf", 4321, 4321) == 0)
        let targets = ["--watchtower-targets", "/srv/watchtower/targets.yaml"]
        let snapshot = work.file("snapshot")

        let run = await CLIHarness.run(["snapshot", "--root", image, "-f", manifests] + targets + [snapshot])
        #expect(run.status == 0, "\(run.stderr)")
        var info = stat()
        #expect(lstat(snapshot + "/etc/app/app.conf", &info) == 0)
        #expect(info.st_uid == 4321 && info.st_gid == 4321 && info.st_mode & 0o7777 == 0o640)
        #expect(Fixtures.readText(snapshot + "/etc/passwd")?.contains("snapuser:x:4321:") == true)

        let diff = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifests] + targets)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test func aSnapshotOfAHotPiShowsTheCrossedConditionsOffline() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        let manifests = work.write("manifests/host.yaml", Self.host)
        let snapshot = work.file("snapshot")
        let run = await CLIHarness.run(["snapshot", "--root", Fixtures.path("fixtures/hosts/pi4-hot"), snapshot])
        #expect(run.status == 0, "\(run.stderr)")

        let diff = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifests])
        #expect(diff.status == 1, "\(diff.stderr)")
        // Crossed conditions are health, not changes apply would make.
        #expect(!diff.stdout.contains("→ below 70 °C"))
        #expect(
            diff.stdout.contains(
                "note: health Degraded for Host/pi: temperature 82.0 °C at or above warn 70 °C; throttling now: softTempLimit"
            ))
        #expect(diff.stdout.contains("    hostname: alexos-pi-hot → alexos-pi\n"))
        #expect(diff.stdout.contains("steps: write /etc/hostname; write /etc/hosts; write /boot/firmware/config.txt\n"))
        let json = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifests, "-o", "json"])
        #expect(json.stdout.contains("\"health\": \"Degraded\""))
    }

    @Test func aSnapshotOfThisMachineCanBeDiffedOffline() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        let snapshot = work.file("live")
        let clock = ContinuousClock()
        let started = clock.now
        let run = await CLIHarness.run(["snapshot", snapshot])
        let elapsed = clock.now - started
        #expect(run.status == 0, "\(run.stderr)")
        #expect(elapsed < .seconds(30))
        #expect(Fixtures.exists(snapshot + "/proc/meminfo"))
        #expect(Fixtures.exists(snapshot + "/statvfs"))
        #expect(Fixtures.readText(snapshot + "/SNAPSHOT.txt")?.hasPrefix("chainbot snapshot (chainbot ") == true)

        let hostname = try #require(Fixtures.readText(snapshot + "/proc/sys/kernel/hostname")).filter { $0 != "\n" }
        let manifest = work.write(
            "host.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: Host
            metadata: {name: this}
            spec:
              memory: {minAvailableMB: 1}
              disk: {minFreePercent: 0}

            """)
        let diff = await CLIHarness.run(["diff", "--root", snapshot, "-f", manifest])
        #expect(diff.status == 0, "\(hostname): \(diff.stdout)\(diff.stderr)")
        #expect(!diff.stdout.contains("cannot plan"))
    }

    @Test(.enabled(if: Fixtures.exists("/bin/bash") || Fixtures.exists("/usr/bin/bash"), "bash is not installed"))
    func theShellScriptWritesTheSameSnapshotAsTheCommand() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        let pi = Self.convergedPi(work)
        chmod(pi + "/etc/systemd/system/chainbot.service", 0o600)
        let manifest = work.write(
            "manifests/file.yaml",
            "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: app}\nspec: {path: /etc/app/app.conf, content: x}\n"
        )
        let command = await CLIHarness.run(["snapshot", "--root", pi, "-f", manifest, work.file("by-chainbot")])
        #expect(command.status == 0, "\(command.stderr)")
        let script = try await SpawnCommandRunner().run(
            CommandInvocation(
                "bash",
                [
                    Fixtures.path("contrib/snapshot.sh"), "--file", "/etc/app/app.conf", "--root", pi,
                    work.file("by-script"),
                ]))
        #expect(script.succeeded, "\(script.errorOutput)")
        let byChainbot = Self.entries(work.file("by-chainbot"))
        #expect(byChainbot.count > 10)
        #expect(Self.entries(work.file("by-script")) == byChainbot)
        #expect(byChainbot.contains("/etc/app/app.conf (640 \(geteuid()):\(getegid())): plain\n"), "\(byChainbot)")
        #expect(byChainbot.contains { $0.hasPrefix("/etc/systemd/system/chainbot.service (600 ") })
        let index = try #require(Fixtures.readText(work.file("by-script/SNAPSHOT.txt")))
        #expect(index.contains("redacted Environment= values:\n  /etc/systemd/system/chainbot.service: API_TOKEN\n"))
    }

    /// Every path under `root` but SNAPSHOT.txt, with a link's target or a file's mode, owner, group and bytes.
    static func entries(_ root: String, _ relative: String = "") -> [String] {
        Fixtures.list(root + relative, hidden: true).flatMap { name -> [String] in
            let path = relative + "/" + name
            guard path != "/SNAPSHOT.txt" else { return [] }
            var info = stat()
            guard lstat(root + path, &info) == 0 else { return [] }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return entries(root, path)
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: 4096)
                let length = readlink(root + path, &target, 4095)
                return [
                    "\(path) -> \(String(decoding: target.prefix(max(length, 0)).map { UInt8(bitPattern: $0) }, as: UTF8.self))"
                ]
            default:
                let mode = String(info.st_mode & 0o7777, radix: 8)
                return ["\(path) (\(mode) \(info.st_uid):\(info.st_gid)): \(Fixtures.readText(root + path) ?? "?")"]
            }
        }
    }

    @Test func refusesADirectoryThatIsNotEmpty() async throws {
        let work = TemporaryDirectory("chainbot-snapshot")
        work.write("taken/keep.txt", "mine\n")
        let run = await CLIHarness.run([
            "snapshot", "--root", Fixtures.path("fixtures/hosts/pi4-hot"), work.file("taken"),
        ])
        #expect(run.status == 64)
        #expect(
            run.stderr
                == "chainbot snapshot: \(work.file("taken")) exists and is not empty; give a new or empty directory (nothing was written)\n"
        )
        #expect(Fixtures.list(work.file("taken")) == ["keep.txt"])
        let missing = await CLIHarness.run(["snapshot"])
        #expect(missing.status == 64)
    }

    @Test func redactsOnlySecretLookingEnvironmentValues() {
        let (text, names) = SnapshotCapture.redacted(
            "[Service]\nEnvironment=\"DB_PASSWORD=x y\" PORT=1\n  Environment=API_KEY=k\nExecStart=/bin/true\n")
        #expect(
            text
                == "[Service]\nEnvironment=\"DB_PASSWORD=REDACTED\" PORT=1\n  Environment=API_KEY=REDACTED\nExecStart=/bin/true\n"
        )
        #expect(names == ["DB_PASSWORD", "API_KEY"])
    }
}
