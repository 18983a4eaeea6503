import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// Secret values reach the file on disk and nowhere else: not facets, descriptions, steps or errors.
struct ConfigFileSecretTests {
    let host = ConfigFileHost()
    let id = ResourceID(.configFile, "alexos-env")
    let sentinel = "SENTINEL-4b9d-do-not-print"

    @Test func writesSecretIntoTheFileButShowsOnlyDigests() async throws {
        let secrets = host.outside("secrets/alexos.env", "OTHER=x\nAPI_TOKEN=\(sentinel)\n")
        let spec = ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([
                EnvEntry(key: "API_TOKEN", value: .secret(SecretRef(file: secrets, key: "API_TOKEN"))),
                EnvEntry(key: "PORT", value: .plain("8000")),
            ]), mode: 0o600)

        let (changes, actions) = try await host.plan(id, spec)
        for action in actions { try await host.provider.execute(action) }
        let observed = try await host.observe(id, spec)

        let fileText = "API_TOKEN=\(sentinel)\nPORT=8000\n"
        #expect(Fixtures.readText(host.onDisk("/etc/alexos/alexos.env")) == fileText)
        #expect(observed.facets["content"] == .secret(digest: digest(fileText)))
        for shown in [
            String(reflecting: changes), changes.map(\.to.description).joined(), String(reflecting: observed),
            actions.map(\.description).joined(),
        ] {
            #expect(!shown.contains(sentinel))
        }
    }

    @Test func missingSecretKeyErrorNamesFileAndKeyButNotTheValue() async throws {
        let secrets = host.outside("secrets/alexos.env", "API_TOKEN=\(sentinel)\n")
        let spec = ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([EnvEntry(key: "DB_PASSWORD", value: .secret(SecretRef(file: secrets, key: "DB_PASSWORD")))]))

        let error = await #expect(throws: ProviderError.self) { try await host.render(id, spec) }

        #expect(error?.description == "secret file '\(secrets)' has no key 'DB_PASSWORD'")
        #expect(error.map { String(reflecting: $0).contains(sentinel) } == false)
    }

    @Test func secretWithForbiddenCharacterErrorNamesOnlyTheKey() async throws {
        let secrets = host.outside("secrets/token", "\(sentinel)\r\r\n")
        let spec = ConfigFileSpec(
            path: "/etc/a.env", content: .env([EnvEntry(key: "TOKEN", value: .secret(SecretRef(file: secrets)))]))

        let error = await #expect(throws: ProviderError.self) { try await host.render(id, spec) }

        #expect(error?.message.hasPrefix("env value of 'TOKEN' contains a control character") == true)
        #expect(error.map { String(reflecting: $0).contains(sentinel) } == false)
    }
}
