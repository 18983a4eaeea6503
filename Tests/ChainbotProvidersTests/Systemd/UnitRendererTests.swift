import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct UnitRendererTests {
    let renderer = UnitRenderer(id: ResourceID(.service, "chainbot"))

    @Test func rendersEveryFieldInAFixedOrderWithSystemdEscaping() throws {
        let unit = ServiceUnit(
            description: "ChainBot 100% uptime",
            exec: #"/opt/chainbot/bin/chainbot --port 5000 --name "a b" %i $HOME"#, type: "notify", user: "chainbot",
            group: "chainbot", workingDirectory: "/opt/chain bot",
            environment: [
                NamedText(name: "PATH_EXTRA", text: "a b"), NamedText(name: "API_KEY", text: #"x"y\z$HOME 50%"#),
            ],
            environmentFile: "-/etc/chainbot/env", after: ["network-online.target", "alexos.service"],
            wants: ["network-online.target"], requires: ["alexos.service"], wantedBy: ["multi-user.target"],
            restart: "on-failure", restartSec: .seconds(90),
            hardening: Hardening(
                noNewPrivileges: true, privateTmp: false, protectSystem: "strict", protectHome: "true",
                readWritePaths: ["/var/lib/chainbot", "/srv/chain data"]))

        #expect(
            try renderer.render(unit) == #"""
                # Managed by chainbot (Service/chainbot); local edits are reverted.
                [Unit]
                Description=ChainBot 100%% uptime
                After=network-online.target alexos.service
                Wants=network-online.target
                Requires=alexos.service

                [Service]
                Type=notify
                User=chainbot
                Group=chainbot
                WorkingDirectory=/opt/chain bot
                Environment="API_KEY=x\"y\\z$HOME 50%%"
                Environment="PATH_EXTRA=a b"
                EnvironmentFile=-/etc/chainbot/env
                ExecStart=/opt/chainbot/bin/chainbot --port 5000 --name "a b" %%i $HOME
                Restart=on-failure
                RestartSec=1min 30s
                NoNewPrivileges=yes
                PrivateTmp=no
                ProtectSystem=strict
                ProtectHome=yes
                ReadWritePaths=/var/lib/chainbot "/srv/chain data"

                [Install]
                WantedBy=multi-user.target

                """#)
    }

    @Test func leavesOutSectionsAndKeysTheManifestDoesNotSetButDefaultsTheTypeToExec() throws {
        let unit = ServiceUnit(exec: "/usr/bin/true", wantedBy: [])

        #expect(
            try renderer.render(unit) == """
                # Managed by chainbot (Service/chainbot); local edits are reverted.
                [Service]
                Type=exec
                ExecStart=/usr/bin/true

                """)
    }

    @Test func rendersTheSameBytesEveryTime() throws {
        let unit = ServiceUnit(
            exec: "/usr/bin/app",
            environment: [
                NamedText(name: "B", text: "2"), NamedText(name: "A", text: "1"), NamedText(name: "C", text: "3"),
            ])
        let first = try renderer.render(unit)
        for _ in 0..<20 { #expect(try renderer.render(unit) == first) }
        #expect(first.contains("Environment=\"A=1\"\nEnvironment=\"B=2\"\nEnvironment=\"C=3\"\n"))
    }

    @Test(arguments: [
        (Duration.zero, "0"), (.seconds(5), "5s"), (.seconds(90), "1min 30s"), (.milliseconds(1500), "1s 500ms"),
        (.milliseconds(250), "250ms"), (.seconds(3720), "1h 2min"), (.seconds(86_401), "1d 1s"),
    ])
    func writesRestartSecInSystemdTimeSpanWords(duration: Duration, text: String) {
        #expect(SystemdTimeSpan.format(duration) == text)
    }

    @Test func writesControlCharactersInEnvironmentValuesAsCEscapes() throws {
        let unit = ServiceUnit(exec: "/usr/bin/app", environment: [NamedText(name: "GREETING", text: "a\tb\nc\u{1}")])

        #expect(try renderer.render(unit).contains(#"Environment="GREETING=a\tb\nc\x01""#))
    }

    @Test func refusesALineBreakThatWouldAddSettings() {
        let unit = ServiceUnit(description: "ok\nExecStartPre=/bin/evil", exec: "/usr/bin/app")

        let error = #expect(throws: ProviderError.self) { try renderer.render(unit) }
        #expect(
            error?.message
                == "Service/chainbot: Description= contains a line break or control character, which a unit file cannot hold"
        )
    }

    @Test func refusesAFinalBackslashThatWouldJoinTheNextLine() {
        let unit = ServiceUnit(exec: #"/usr/bin/app \"#)

        let error = #expect(throws: ProviderError.self) { try renderer.render(unit) }
        #expect(
            error?.message
                == "Service/chainbot: ExecStart= ends in a backslash, which would continue onto the next line")
    }

    @Test func refusesAnEnvironmentNameSystemdCannotRead() {
        let unit = ServiceUnit(exec: "/usr/bin/app", environment: [NamedText(name: "A B", text: "x")])

        #expect(throws: ProviderError.self) { try renderer.render(unit) }
    }

    @Test func refusesAReadWritePathWithQuotes() {
        let unit = ServiceUnit(exec: "/usr/bin/app", hardening: Hardening(readWritePaths: [#"/srv/a"b"#]))

        #expect(throws: ProviderError.self) { try renderer.render(unit) }
    }
}
