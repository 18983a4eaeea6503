import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// Desired facets from inline text, source files and env entries.
struct ConfigFileRenderTests {
    let host = ConfigFileHost()
    let id = ResourceID(.configFile, "app")

    @Test func rendersInlineTextWithModeAndNoOwnershipFacetsWhenUnset() async throws {
        let facets = try await host.render(
            id, ConfigFileSpec(path: "/etc/app.conf", content: .text("a = 1\n"), mode: 0o640))

        #expect(facets == [Facet("content", .text("a = 1\n")), Facet("mode", .word("0640"))])
    }

    @Test func rendersOwnerAndGroupFacetsWhenSet() async throws {
        let spec = ConfigFileSpec(path: "/x", content: .text(""), mode: 0o4755, owner: "alex", group: "alex")

        let facets = try await host.render(id, spec)

        #expect(
            facets == [
                Facet("content", .text("")), Facet("mode", .word("4755")), Facet("owner", .word("alex")),
                Facet("group", .word("alex")),
            ])
    }

    @Test func rendersSourceFileReadOutsideTheHostRoot() async throws {
        let source = host.outside("manifests/files/watchtower.yaml", "targets: []\n")
        let spec = ConfigFileSpec(
            path: "/etc/watchtower.yaml", content: .source(path: source, relative: "files/watchtower.yaml"))

        let facets = try await host.render(id, spec)

        #expect(facets.first == Facet("content", .text("targets: []\n")))
    }

    @Test func missingSourceErrorNamesRelativeAndResolvedPath() async {
        let source = host.directory.file("manifests/files/gone.conf")
        let spec = ConfigFileSpec(path: "/etc/gone.conf", content: .source(path: source, relative: "files/gone.conf"))

        await #expect(throws: ProviderError("source file 'files/gone.conf' not found (looked at \(source))")) {
            try await host.render(id, spec)
        }
    }

    @Test func showsNonUTF8SourceByDigest() async throws {
        let source = host.directory.file("blob")
        Fixtures.write(source, [0x00, 0xff, 0x10])
        let spec = ConfigFileSpec(path: "/blob", content: .source(path: source, relative: "blob"))

        let facets = try await host.render(id, spec)

        let expected = "sha256:" + String(SHA256.hex(SHA256.hash([0x00, 0xff, 0x10] as [UInt8])).prefix(12))
        #expect(facets.first == Facet("content", .word(expected)))
    }

    @Test func rendersPlainEnvAsText() async throws {
        let spec = ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([EnvEntry(key: "PORT", value: .plain("8000")), EnvEntry(key: "MODE", value: .plain("a b"))]))

        let facets = try await host.render(id, spec)

        #expect(facets.first == Facet("content", .text("MODE=\"a b\"\nPORT=8000\n")))
    }

    @Test func rendersEnvWithSecretAsDigestOfWholeFile() async throws {
        let secret = host.outside("secrets/token", "tok en\n")
        let spec = ConfigFileSpec(
            path: "/etc/alexos/alexos.env",
            content: .env([
                EnvEntry(key: "TOKEN", value: .secret(SecretRef(file: secret))), EnvEntry(key: "A", value: .plain("1")),
            ]))

        let facets = try await host.render(id, spec)

        #expect(facets.first == Facet("content", .secret(digest: digest("A=1\nTOKEN=\"tok en\"\n"))))
    }

    @Test func refusesToRenderAnotherKind() async {
        await #expect(throws: ProviderError("the ConfigFile provider cannot render Host 'pi'")) {
            try await host.provider.render(ResourceID(.host, "pi"), spec: .host(HostSpec()), previous: nil)
        }
    }
}
