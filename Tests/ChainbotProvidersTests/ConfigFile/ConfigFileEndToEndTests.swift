import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Glibc
import Testing

/// Render → observe → plan → execute → observe again: the host ends up exactly as desired.
struct ConfigFileEndToEndTests {
    let host = ConfigFileHost()

    static let specs: [ConfigFileSpec] = [
        ConfigFileSpec(path: "/etc/app.conf", content: .text("listen = 127.0.0.1:5000\n"), mode: 0o640),
        ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([
                EnvEntry(key: "ALEXOS_URL", value: .plain("http://127.0.0.1:8000")),
                EnvEntry(key: "GREETING", value: .plain("hello \"pi\"\nbye")),
            ]), mode: 0o600, owner: "root", group: "root"),
        ConfigFileSpec(path: "/empty", content: .text(""), mode: 0o444),
    ]

    @Test(arguments: specs)
    func appliedFileObservesAsDesired(spec: ConfigFileSpec) async throws {
        var spec = spec
        // Only root can give a file to root when the test runs as someone else.
        if getuid() != 0 { (spec.owner, spec.group) = (nil, nil) }
        let id = ResourceID(.configFile, "file")
        let desired = try await host.render(id, spec)
        let before = try await host.observe(id, spec)
        #expect(before.health == .missing)

        try await host.apply(id, spec)
        let after = try await host.observe(id, spec)

        #expect(ConfigFileHost.changes(id, desired: desired, observed: after).isEmpty)
        #expect(after.health == .healthy)
        #expect(try await host.plan(id, spec).actions.isEmpty)
    }

    @Test func secretEnvFileConvergesAndStaysConverged() async throws {
        let token = host.outside("secrets/token", "abc def$\n")
        let id = ResourceID(.configFile, "env")
        let spec = ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([EnvEntry(key: "TOKEN", value: .secret(SecretRef(file: token)))]))

        try await host.apply(id, spec)

        #expect(Fixtures.readText(host.onDisk("/etc/alexos/alexos.env")) == "TOKEN=\"abc def\\$\"\n")
        #expect(try await host.plan(id, spec).changes.isEmpty)
        host.outside("secrets/token", "rotated\n")
        #expect(try await host.plan(id, spec).changes.map(\.facet) == ["content"])
    }
}
