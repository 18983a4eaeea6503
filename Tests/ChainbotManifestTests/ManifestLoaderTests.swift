import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import ChainbotYAML
import Glibc
import Testing

@Suite struct ManifestLoaderTests {
    @Test func theExampleManifestsOfThePiAreValid() throws {
        let set = ManifestLoader().load([Fixtures.path("manifests")])
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics.map(\.message))")
        #expect(set.resources.count == 15)
        let kinds = Set(set.resources.map(\.id.kind))
        #expect(kinds == Set(Kind.allCases))
        let firewall = try #require(set.resources.first { $0.id.kind == .firewall })
        guard case .firewall(let spec) = firewall.spec else { throw Failure("not a firewall") }
        #expect(spec.managementPorts == [5420])
        #expect(spec.backend == .ufw)
    }

    @Test func decodesEveryFieldOfAStructuredService() throws {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata:
              name: chainbot
              annotations:
                chainbot.dev/drift: warn
              dependsOn: [Service/watchtower]
            spec:
              description: ChainBot API
              exec: /opt/venv/bin/uvicorn app.main:app --port 9000
              user: alex
              environment:
                PORT: 9000
                DEBUG: "false"
              after: [network-online.target]
              restart: on-failure
              restartSec: 1m30s
              hardening:
                noNewPrivileges: true
                protectSystem: strict
              dropIns:
                limits: "[Service]\\nLimitNOFILE=4096\\n"
              enabled: false
              state: stopped
              healthCheck:
                tcp: 127.0.0.1:9000
                interval: 10s
              minUptime: 1500ms
            ---
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata:
              name: watchtower
            spec:
              unit: |
                [Service]
                ExecStart=/usr/bin/true

            """
        let set = ManifestLoader().load(text: text, path: "pi.yaml")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics.map(\.message))")
        let resource = try #require(set.resources.first)
        #expect(resource.metadata.drift == .warn)
        #expect(resource.metadata.dependsOn == [ResourceID(.service, "watchtower")])
        guard case .service(let service) = resource.spec, case .structured(let unit) = service.definition else {
            throw Failure("not a structured service")
        }
        #expect(service.unitName == "chainbot.service")
        #expect(service.enabled == false)
        #expect(service.state == .stopped)
        #expect(unit.environment == [NamedText(name: "DEBUG", text: "false"), NamedText(name: "PORT", text: "9000")])
        #expect(unit.restartSec == .seconds(90))
        #expect(unit.wantedBy == ["multi-user.target"])
        #expect(unit.hardening?.protectSystem == "strict")
        #expect(service.dropIns == [NamedText(name: "limits", text: "[Service]\nLimitNOFILE=4096\n")])
        #expect(service.healthCheck == HealthCheck(probe: .tcp("127.0.0.1:9000"), interval: .seconds(10)))
        #expect(service.minUptime == .milliseconds(1500))
        guard case .service(let raw) = set.resources[1].spec, case .raw(let unitText) = raw.definition else {
            throw Failure("not a raw service")
        }
        #expect(unitText == "[Service]\nExecStart=/usr/bin/true\n")
        #expect(raw.minUptime == nil)
    }

    @Test func aMinUptimeOverAMinuteIsRefusedWhereItIsWritten() throws {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata: {name: slow}
            spec:
              exec: /usr/bin/slow
              minUptime: 2m
            ---
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata: {name: raw}
            spec:
              unit: "[Service]\\nExecStart=/usr/bin/true\\n"
              minUptime: 250
            """
        let set = ManifestLoader().load(text: text, path: "pi.yaml")
        let places = set.diagnostics.map {
            "\($0.code.rawValue)@\($0.location.line):\($0.location.column) \($0.message)"
        }
        #expect(
            places == [
                "out-of-range@6:14 spec.minUptime 2m is too long in Service 'slow': the maximum is 1m",
                "type-mismatch@13:14 wrong type for spec.minUptime in Service 'raw': expected a duration like 30s, 5m, "
                    + "1h30m, at most 1m, found an integer",
            ])
    }

    @Test func parsesSecretReferencesWithoutReadingThem() throws {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: env}
            spec:
              path: /etc/chainbot/app.env
              mode: "0600"
              env:
                TOKEN: {secretRef: {file: /nonexistent/secret.env, key: TOKEN}}
                PLAIN: value
            """
        let set = ManifestLoader().load(text: text, path: "env.yaml")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics.map(\.message))")
        guard case .configFile(let file)? = set.resources.first?.spec, case .env(let entries) = file.content else {
            throw Failure("not an env ConfigFile")
        }
        #expect(file.mode == 0o600)
        #expect(entries.map(\.key) == ["PLAIN", "TOKEN"])
        #expect(entries[1].value == .secret(SecretRef(file: "/nonexistent/secret.env", key: "TOKEN")))
    }

    @Test func mergeKeysShareDefaultsBetweenDocumentsFields() throws {
        let text = """
            apiVersion: chainbot.dev/v1
            kind: WatchtowerTarget
            metadata: {name: api}
            spec:
              <<: &probe {interval: 10s, timeout: 2s, severity: critical}
              type: http
              target: http://127.0.0.1:9000/health
              severity: error
            """
        let set = ManifestLoader().load(text: text, path: "t.yaml")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics.map(\.message))")
        guard case .watchtowerTarget(let target)? = set.resources.first?.spec else { throw Failure("no target") }
        #expect(target.interval == .seconds(10))
        #expect(target.timeout == .seconds(2))
        #expect(target.severity == .error)
    }

    @Test func yamlOnePointOneBooleansAreStringsSoTheyAreReportedNotGuessed() {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: Firewall
            metadata: {name: pi}
            spec:
              managementPorts: [5420]
              allowICMP: 1️⃣NO
            """)
        let set = ManifestLoader().load(text: marked.text, path: "fw.yaml")
        let diagnostic = set.diagnostics.first
        #expect(set.diagnostics.count == 1)
        #expect(diagnostic?.code == .typeMismatch)
        #expect(diagnostic?.location.line == marked["1️⃣"].line)
        #expect(diagnostic?.location.column == marked["1️⃣"].column)
        #expect(diagnostic?.notes.first?.message == "YAML 1.2 reads 'NO' as a string; write true or false")
    }

    @Test func everyProblemInAFileIsReportedAtItsOwnPlace() {
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: Port
            metadata:
              name: api
            spec:
              port: 1️⃣0
              protocol: 2️⃣sctp
              3️⃣colour: blue
              owner: 4️⃣Service/nobody
            """)
        let set = ManifestLoader().load(text: marked.text, path: "p.yaml")
        let places = set.diagnostics.map { "\($0.code.rawValue)@\($0.location.line):\($0.location.column)" }
        #expect(
            places == [
                "invalid-port@\(marked["1️⃣"].line):\(marked["1️⃣"].column)",
                "invalid-enum@\(marked["2️⃣"].line):\(marked["2️⃣"].column)",
                "unknown-field@\(marked["3️⃣"].line):\(marked["3️⃣"].column)",
            ])
        // A resource with errors is not checked against the set, so its reference does not cascade.
        #expect(!places.contains { $0.hasPrefix("dangling-reference") })
        _ = marked["4️⃣"]
    }

    @Test func directoriesAreWalkedInSortedOrderSkippingDotFilesAndOtherExtensions() {
        let directory = TemporaryDirectory()
        let doc = { (name: String) in
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: \(name)}\nspec: {exec: /bin/true}\n"
        }
        directory.write("b.yaml", doc("b"))
        directory.write("a.yml", doc("a"))
        directory.write("sub/c.yaml", doc("c"))
        directory.write(".hidden.yaml", "not: [valid")
        directory.write("notes.txt", "ignored")
        let set = ManifestLoader().load([directory.path])
        #expect(set.diagnostics.isEmpty)
        #expect(set.resources.map(\.metadata.name) == ["a", "b", "c"])
        #expect(
            set.files.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == [
                "a.yml", "b.yaml", "c.yaml",
            ])
    }

    @Test func aFiftyMegabyteFileIsRejectedWithoutReadingIt() {
        let directory = TemporaryDirectory()
        let path = directory.file("huge.yaml")
        Fixtures.write(path, "")
        truncate(path, 50 << 20)
        let set = ManifestLoader().load([path])
        #expect(set.diagnostics.map(\.code) == [.fileTooLarge])
        #expect(set.diagnostics.first?.message == "\(path) is 50.0 MiB; manifests are limited to 8.0 MiB")
    }

    @Test func documentCountIsLimited() {
        var limits = YAMLLimits.manifest
        limits.maxDocuments = 3
        let text = String(repeating: "---\na: 1\n", count: 5)
        let set = ManifestLoader(limits: limits).load(text: text, path: "many.yaml")
        #expect(set.diagnostics.contains { $0.code == .tooManyDocuments })
    }

    @Test func tenThousandDeepNestingIsOneClearDiagnostic() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let set = ManifestLoader().load(text: text, path: "deep.yaml")
        #expect(set.diagnostics.map(\.code) == [.tooDeep])
    }

    @Test func aMissingPathIsAnIOErrorNotAnInvalidManifest() {
        let set = ManifestLoader().load(["/nonexistent/chainbot/manifests"])
        #expect(set.hasIOErrors)
        #expect(
            set.diagnostics.first?.message == "cannot read /nonexistent/chainbot/manifests: No such file or directory")
    }

    @Test func aDirectoryNamedLikeAManifestIsWalkedNotRead() {
        let directory = TemporaryDirectory()
        directory.write(
            "odd.yaml/inner.yaml",
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: x}\nspec: {exec: /bin/true}\n")
        let set = ManifestLoader().load([directory.path])
        #expect(set.diagnostics.isEmpty)
        #expect(set.resources.count == 1)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
