import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Glibc
import Testing

/// What the provider sees on the host, and drift made by hand.
struct ConfigFileObserveTests {
    let host = ConfigFileHost()
    let id = ResourceID(.configFile, "app")
    let spec = ConfigFileSpec(path: "/etc/app.conf", content: .text("a = 1\n"), mode: 0o640)

    @Test func missingFileIsAbsentAndMissing() async throws {
        let observed = try await host.observe(id, spec)

        #expect(observed.facets == ["content": .absent, "mode": .absent, "owner": .absent, "group": .absent])
        #expect(observed.isAbsent)
        #expect(observed.health == .missing)
        #expect(observed.healthReason == "no file at /etc/app.conf")
    }

    @Test func presentFileShowsContentModeOwnerAndGroup() async throws {
        try host.handEdit("/etc/app.conf", "a = 2\n", mode: 0o600)

        let observed = try await host.observe(id, spec)

        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let group = String(cString: getgrgid(getgid()).pointee.gr_name)
        #expect(
            observed.facets == [
                "content": .text("a = 2\n"), "mode": .word("0600"), "owner": .word(user), "group": .word(group),
            ])
        #expect(observed.health == .healthy)
    }

    @Test func showsContentAsDigestWhenTheSpecHoldsASecret() async throws {
        let secretSpec = ConfigFileSpec(
            path: "/etc/app.env", content: .env([EnvEntry(key: "T", value: .secret(SecretRef(file: "/unused")))]))
        try host.handEdit("/etc/app.env", "T=by-hand\n")

        let observed = try await host.observe(id, secretSpec)

        #expect(observed.facets["content"] == .secret(digest: digest("T=by-hand\n")))
    }

    @Test func directoryAtThePathIsAnErrorOfThatFileAlone() async throws {
        mkdir(host.onDisk("/etc"), 0o755)
        mkdir(host.onDisk("/etc/app.conf"), 0o755)

        let observed = try await host.observe(id, spec)

        #expect(observed.failure == ProviderError("cannot manage /etc/app.conf: it is a directory, not a file"))
    }

    @Test func symbolicLinkAtThePathShowsWhereItPoints() async throws {
        try host.fileSystem.symlink("/usr/share/app.conf", at: "/etc/app.conf")

        let observed = try await host.observe(id, spec)

        #expect(observed.facets["content"] == .word("symbolic link to /usr/share/app.conf"))
    }

    @Test func ignoresTargetsOfOtherKinds() async throws {
        let observed = try await host.provider.observe([
            ObserveTarget(id: ResourceID(.host, "pi"), spec: .host(HostSpec()))
        ])

        #expect(observed.isEmpty)
    }

    @Test func detectsContentAndModeChangedByHand() async throws {
        try await host.apply(id, spec)
        try host.handEdit("/etc/app.conf", "a = 99\n", mode: 0o640)
        chmod(host.onDisk("/etc/app.conf"), 0o666)

        let (changes, actions) = try await host.plan(id, spec)

        #expect(
            changes == [
                FieldChange(resource: id, facet: "content", from: .text("a = 99\n"), to: .text("a = 1\n")),
                FieldChange(resource: id, facet: "mode", from: .word("0666"), to: .word("0640")),
            ])
        #expect(actions == [.writeFile(FileWrite(path: "/etc/app.conf", content: Array("a = 1\n".utf8), mode: 0o640))])
    }

    @Test(.enabled(if: getuid() == 0, "chown needs root"))
    func detectsOwnerChangedByHand() async throws {
        let owned = ConfigFileSpec(path: "/etc/app.conf", content: .text("x\n"), owner: "root", group: "root")
        try await host.apply(id, owned)
        chown(host.onDisk("/etc/app.conf"), 65534, 0)

        let (changes, actions) = try await host.plan(id, owned)

        #expect(changes == [FieldChange(resource: id, facet: "owner", from: .word("nobody"), to: .word("root"))])
        #expect(actions.count == 1)
    }
}
