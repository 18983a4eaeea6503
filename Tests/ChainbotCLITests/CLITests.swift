import ChainbotCore
import ChainbotTestSupport
import Testing

@Suite struct CLITests {
    @Test func versionAndHelpExitZero() async {
        let version = await CLIHarness.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("chainbot "))
        let help = await CLIHarness.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("validate"))
        #expect(help.stdout.contains("explain"))
    }

    @Test func noArgumentsIsAUsageError() async {
        let run = await CLIHarness.run([])
        #expect(run.status == 64)
        #expect(run.stderr.contains("usage: chainbot COMMAND"))
    }

    @Test func anUnknownCommandSuggestsTheNearestOne() async {
        let run = await CLIHarness.run(["valdiate"])
        #expect(run.status == 64)
        #expect(run.stderr == "chainbot: unknown command 'valdiate'. Did you mean 'validate'? See 'chainbot --help'.\n")
    }

    @Test func anUnknownOptionIsAUsageErrorWithTheCommandsUsage() async {
        let run = await CLIHarness.run(["validate", "--outptu", "json"])
        #expect(run.status == 64)
        #expect(
            run.stderr.hasPrefix(
                "chainbot validate: unknown option '--outptu'; did you mean '--output'?\nusage: chainbot validate"))
        let badFormat = await CLIHarness.run(["validate", "-o", "yaml", Fixtures.path("manifests")])
        #expect(badFormat.status == 64)
    }

    @Test func helpForACommandShowsItsUsage() async {
        let run = await CLIHarness.run(["help", "validate"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("usage: chainbot validate [PATH...]"))
        let flag = await CLIHarness.run(["validate", "--help"])
        #expect(flag.stdout == run.stdout)
    }

    @Test func helpForSomethingThatIsNoTopicSaysSoAndSuggestsOne() async {
        let typo = await CLIHarness.run(["help", "valdate"])
        #expect(typo.status == 64)
        #expect(
            typo.stderr
                == "chainbot help: 'valdate' is not a command, a manifest kind or a diagnostic code. Did you mean 'validate'? See 'chainbot --help'.\n"
        )
        #expect(typo.stdout.isEmpty, "not answered as explain")
        let kind = await CLIHarness.run(["help", "Service.exec"])
        #expect(kind.status == 0)
        #expect(kind.stdout.hasPrefix("Service.exec:"))
    }

    @Test func aMistypedKindSuggestsTheNearestOne() async {
        let run = await CLIHarness.run(["diff", "--kind", "Servise", "-f", Fixtures.path("manifests")])
        #expect(run.status == 64)
        #expect(run.stderr.contains("; did you mean Service?"), "\(run.stderr)")
    }

    @Test func validateSummarizesAValidSet() async {
        let run = await CLIHarness.run(["validate", Fixtures.path("manifests")])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let lines = run.stdout.split(separator: "\n")
        #expect(
            lines.first
                == "15 resources in 4 files valid: 1 Host, 1 Firewall, 1 FirewallRule, 2 ConfigFile, 2 Service, 2 Port, 2 Agent, 4 WatchtowerTarget"
        )
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("generation ") == true)
    }

    @Test func validateAcceptsRepeatedFilenameOptions() async {
        let manifests = Fixtures.path("manifests")
        let run = await CLIHarness.run([
            "validate", "-f", manifests + "/host.yaml", "--filename=" + manifests + "/firewall.yaml",
        ])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("3 resources in 2 files valid"))
    }

    @Test func jsonOutputOfAnInvalidSetIsADocumentWithItsDiagnostics() async {
        let path = Fixtures.path("fixtures/manifests/invalid/unknown-field")
        let run = await CLIHarness.run(["validate", "-o", "json", path])
        #expect(run.status == 65)
        #expect(run.stderr.isEmpty)
        let expected = """
            {
              "schemaVersion": 1,
              "valid": false,
              "diagnostics": [
                {
                  "file": "\(path)/service.yaml",
                  "line": 7,
                  "column": 3,
                  "severity": "error",
                  "code": "unknown-field",
                  "message": "unknown field 'enabeld' in Service 'chainbot'",
                  "notes": [
                    {
                      "message": "did you mean 'enabled'?"
                    }
                  ]
                }
              ]
            }

            """
        #expect(run.stdout == expected)
    }

    @Test func colorsOnlyOnATerminalAndNeverWithNoColor() async {
        let path = Fixtures.path("fixtures/manifests/invalid/unknown-field")
        let plain = await CLIHarness.run(["validate", path])
        #expect(!plain.stderr.contains("\u{1B}["))
        let terminal = await CLIHarness.run(["validate", path], terminal: true)
        #expect(terminal.stderr.contains("\u{1B}[1;31merror:"))
        let noColor = await CLIHarness.run(["validate", path], environment: ["NO_COLOR": "1"], terminal: true)
        #expect(noColor.stderr == plain.stderr)
    }

    @Test func explainDocumentsEveryKindFromTheValidatorsSchema() async {
        for kind in Kind.allCases {
            let run = await CLIHarness.run(["explain", kind.rawValue])
            #expect(run.status == 0)
            #expect(run.stdout.hasPrefix(kind.rawValue + "\n"))
        }
        let service = await CLIHarness.run(["explain", "Service"])
        #expect(
            service.stdout.contains(
                "  enabled: true or false\n      Whether the unit is enabled at boot. Default: true.\n"))
    }

    @Test func explainNarrowsToANestedField() async {
        let run = await CLIHarness.run(["explain", "service.healthCheck.interval"])
        #expect(run.status == 0)
        #expect(
            run.stdout
                == "Service.healthCheck.interval: a duration like 30s, 5m, 1h30m\ndefault: 30s\n\nTime between probes.\n"
        )
    }

    @Test func explainGivesADurationsMaximumFromTheSchemaTheValidatorEnforces() async {
        let run = await CLIHarness.run(["explain", "Service.minUptime"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("Service.minUptime: a duration like 30s, 5m, 1h30m, at most 1m\ndefault: 200ms\n"))
    }

    @Test func explainRejectsUnknownTopicsWithASuggestion() async {
        let kind = await CLIHarness.run(["explain", "Sevice"])
        #expect(kind.status == 64)
        #expect(
            kind.stderr.hasPrefix(
                "chainbot explain: 'Sevice' is not a kind or a diagnostic code. Did you mean 'Service'?\n"))
        let field = await CLIHarness.run(["explain", "Port.adress"])
        #expect(field.status == 64)
        #expect(field.stderr == "chainbot explain: Port has no field 'adress'. Did you mean 'address'?\n")
    }

    @Test func explainDescribesDiagnosticCodes() async {
        let run = await CLIHarness.run(["explain", "port-conflict"])
        #expect(run.stdout == "port-conflict: Two Ports claim the same port, protocol and address.\n")
    }

    @Test func helpOnAKindExplainsIt() async {
        let help = await CLIHarness.run(["help", "Firewall"])
        let explain = await CLIHarness.run(["explain", "Firewall"])
        #expect(help.status == 0)
        #expect(help.stdout == explain.stdout)
    }
}
