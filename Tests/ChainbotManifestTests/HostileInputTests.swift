import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import Glibc
import Testing

/// Manifests written to break chainbot: numbers past Int, paths that dodge the guards, values no unit
/// file can hold, files that are not files. Each is a diagnostic at the value, never a trap or a hang.
@Suite struct HostileInputTests {
    /// `file:line:col [code] message` for every diagnostic, in output order.
    static func shown(_ set: ManifestSet) -> [String] {
        set.diagnostics.map { "\($0.location) [\($0.code.rawValue)] \($0.message)" }
    }

    static func host(_ thermal: String) -> String {
        "apiVersion: chainbot.dev/v1\nkind: Host\nmetadata:\n  name: pi\nspec:\n" + thermal
    }

    @Test func numbersBeyondAnIntegerAreOutOfRangeDiagnosticsNotATrap() {
        let marked = MarkedText(
            Self.host(
                """
                  thermal:
                    warnC: 1️⃣-1e19
                    critC: 2️⃣1e19
                  disk:
                    minFreePercent: 3️⃣1e308
                  memory:
                    minAvailableMB: 4️⃣99999999999999999999

                """))
        let set = ManifestLoader().load(text: marked.text, path: "h.yaml")
        let at = { (marker: String) in "h.yaml:\(marked[marker].line):\(marked[marker].column)" }
        #expect(
            Self.shown(set) == [
                "\(at("1️⃣")) [out-of-range] spec.thermal.warnC -1e19 is out of range in Host 'pi': must be 0–120",
                "\(at("2️⃣")) [out-of-range] spec.thermal.critC 1e19 is out of range in Host 'pi': must be 0–120",
                "\(at("3️⃣")) [out-of-range] spec.disk.minFreePercent 1e308 is out of range in Host 'pi': must be 0–100",
                "\(at("4️⃣")) [out-of-range] spec.memory.minAvailableMB 99999999999999999999 is out of range in Host 'pi': must be 0–1048576",
            ])
    }

    @Test func infinityAndNotANumberSayWhatWasFound() {
        let marked = MarkedText(
            Self.host(
                """
                  thermal:
                    warnC: 1️⃣.nan
                    critC: 2️⃣.inf
                  memory:
                    minAvailableMB: 3️⃣1.5

                """))
        let set = ManifestLoader().load(text: marked.text, path: "h.yaml")
        let at = { (marker: String) in "h.yaml:\(marked[marker].line):\(marked[marker].column)" }
        #expect(
            Self.shown(set) == [
                "\(at("1️⃣")) [type-mismatch] wrong type for spec.thermal.warnC in Host 'pi': expected a number 0–120, found .nan (not a number)",
                "\(at("2️⃣")) [type-mismatch] wrong type for spec.thermal.critC in Host 'pi': expected a number 0–120, found .inf (infinity)",
                "\(at("3️⃣")) [type-mismatch] wrong type for spec.memory.minAvailableMB in Host 'pi': expected an integer 0–1048576, found 1.5 (not an integer)",
            ])
    }

    @Test func durationsTooLongForATimerAreOutOfRange() {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata:
              name: api
            spec:
              exec: /usr/bin/api
              restartSec: 1️⃣366d
              healthCheck:
                tcp: 127.0.0.1:80
                interval: 2️⃣\(String(repeating: "1000000000d", count: 120))

            """)
        let set = ManifestLoader().load(text: marked.text, path: "s.yaml")
        #expect(set.diagnostics.map(\.code) == [.outOfRange, .invalidDuration])
        #expect(set.diagnostics.map(\.location.line) == [marked["1️⃣"].line, marked["2️⃣"].line])
        #expect(
            set.diagnostics.first?.message == "spec.restartSec 366d is too long in Service 'api': the maximum is 365d")
    }

    @Test func aModeWithASignIsRefused() {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: motd
            spec:
              path: /etc/motd
              content: hi
              mode: 1️⃣'+644'

            """)
        let set = ManifestLoader().load(text: marked.text, path: "c.yaml")
        #expect(
            Self.shown(set) == [
                "c.yaml:\(marked["1️⃣"].line):\(marked["1️⃣"].column) [invalid-mode] invalid spec.mode '+644' in ConfigFile 'motd': not an octal mode like '0640'"
            ])
    }

    @Test(arguments: [
        ("/./dev/sda", "under /dev, which chainbot never writes"),
        ("//dev/sda", "under /dev, which chainbot never writes"),
        ("/./proc/self/x", "under /proc, which chainbot never writes"),
        ("/.//sys/kernel/x", "under /sys, which chainbot never writes"),
        ("/.", "the root directory cannot be managed as a file"),
        ("/etc/chainbot/.", "names a directory, not a file"),
    ])
    func pathGuardsLookAtTheNormalizedPath(_ path: String, _ problem: String) {
        let text =
            "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata:\n  name: f\nspec:\n  path: \(path)\n  content: x\n"
        let set = ManifestLoader().load(text: text, path: "p.yaml")
        #expect(
            Self.shown(set) == ["p.yaml:6:9 [invalid-path] invalid spec.path '\(path)' in ConfigFile 'f': \(problem)"])
    }

    @Test func twoSpellingsOfOnePathAreOneFile() throws {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: a
            spec:
              path: /etc//chainbot/./a.conf
              content: x
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: b
            spec:
              path: /etc/chainbot/a.conf
              content: y

            """
        let set = ManifestLoader().load(text: text, path: "p.yaml")
        #expect(set.diagnostics.map(\.code) == [.duplicatePath])
        guard case .configFile(let spec)? = set.resources.first?.spec else { throw Failure("no ConfigFile") }
        #expect(spec.path == "/etc/chainbot/a.conf")
    }

    @Test func valuesTheUnitRendererWouldRefuseAreRefusedAtTheValue() {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata:
              name: api
            spec:
              description: 1️⃣"API\\nExecStartPre=/bin/rm -rf /"
              exec: 2️⃣"/usr/bin/api\\n--flag"
              workingDirectory: 3️⃣"/srv/api\\r"
              environmentFile: 4️⃣/etc/api.env\\
              after: [5️⃣-net.service]
              hardening:
                readWritePaths: [6️⃣"/var/lib/a\\"b"]

            """)
        let set = ManifestLoader().load(text: marked.text, path: "s.yaml")
        let at = { (marker: String) in "s.yaml:\(marked[marker].line):\(marked[marker].column)" }
        #expect(
            Self.shown(set) == [
                "\(at("1️⃣")) [unwritable-value] invalid spec.description in Service 'api': contains a line break; the value is written on one line",
                "\(at("2️⃣")) [unwritable-value] invalid spec.exec in Service 'api': contains a line break; the value is written on one line",
                "\(at("3️⃣")) [unwritable-value] invalid spec.workingDirectory in Service 'api': contains a line break; the value is written on one line",
                "\(at("4️⃣")) [unwritable-value] invalid spec.environmentFile in Service 'api': ends in a backslash, which would continue the line onto the next",
                "\(at("5️⃣")) [invalid-unit-name] invalid spec.after[0] '-net.service' in Service 'api': must not start with '-' or '.'",
                "\(at("6️⃣")) [invalid-path] invalid spec.hardening.readWritePaths[0] '/var/lib/a\"b' in Service 'api': contains a quote or backslash, which a unit file would not read back as written",
            ])
    }

    @Test func aBootConfigValueWithALineBreakIsRefusedAtTheValue() {
        let marked = MarkedText(
            Self.host(
                """
                  bootConfig:
                    all:
                      dtoverlay: [vc4-kms-v3d, 1️⃣"disable-bt\\n[pi4]"]
                      arm_boost: 2️⃣"1\\u0000"

                """))
        let set = ManifestLoader().load(text: marked.text, path: "h.yaml")
        let at = { (marker: String) in "h.yaml:\(marked[marker].line):\(marked[marker].column)" }
        #expect(
            Self.shown(set) == [
                "\(at("1️⃣")) [unwritable-value] invalid spec.bootConfig.all.dtoverlay[1] in Host 'pi': contains a line break; the value is written on one line",
                "\(at("2️⃣")) [unwritable-value] invalid spec.bootConfig.all.arm_boost in Host 'pi': contains a control character, which a one-line value cannot hold",
            ])
    }

    @Test func aHostNameTheKernelWouldRefuseIsRefusedAtTheValue() {
        let name = (0..<5).map { _ in String(repeating: "a", count: 15) }.joined(separator: ".")
        let set = ManifestLoader().load(text: Self.host("  hostname: \(name)\n"), path: "h.yaml")
        #expect(
            Self.shown(set) == [
                "h.yaml:6:13 [invalid-hostname] invalid spec.hostname '\(name)' in Host 'pi': a host name is at most 64 characters (the kernel's limit)"
            ])
    }

    @Test func anEnvironmentFileValueWithAControlCharacterIsRefusedButANewlineIsNot() {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: env
            spec:
              path: /etc/api.env
              env:
                MULTI: "one\\ntwo"
                BELL: "ring\\a"

            """
        let set = ManifestLoader().load(text: text, path: "e.yaml")
        #expect(
            Self.shown(set) == [
                "e.yaml:9:11 [unwritable-value] invalid spec.env.BELL in ConfigFile 'env': contains a control character other than tab or newline, which an EnvironmentFile cannot hold"
            ])
    }
}
