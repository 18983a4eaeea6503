import ChainbotCore
import ChainbotEngine
import Testing

@testable import ChainbotCLI

@Suite struct PlanRendererTests {
    let chainbot = ResourceID(.service, "chainbot")
    let env = ResourceID(.configFile, "chainbot-env")
    let old = ResourceID(.service, "old")

    var prepared: PreparedRun {
        let plan = Plan(
            resources: [
                ResourcePlan(
                    id: env, action: .update,
                    changes: [
                        FieldChange(
                            resource: env, facet: "content", from: .secret(digest: "sha256:aaaaaaaaaaaa"),
                            to: .secret(digest: "sha256:bbbbbbbbbbbb"))
                    ],
                    steps: [0]),
                ResourcePlan(
                    id: chainbot, action: .update,
                    changes: [
                        FieldChange(
                            resource: chainbot, facet: "unit file", from: .text("[Service]\nExecStart=/bin/a\n"),
                            to: .text("[Service]\nExecStart=/bin/b\n")),
                        FieldChange(resource: chainbot, facet: "state", from: .word("stopped"), to: .word("running")),
                    ],
                    steps: [1, 2, 3]),
                ResourcePlan(id: old, action: .prune, changes: [], deferred: true),
                ResourcePlan(id: ResourceID(.service, "same"), action: .unchanged, changes: []),
            ],
            steps: [
                Step(
                    index: 0, resource: env, action: .writeFile(FileWrite(path: "/opt/chainbot/.env", content: [])),
                    reason: ""),
                Step(
                    index: 1, resource: chainbot,
                    action: .writeFile(FileWrite(path: "/etc/systemd/system/chainbot.service", content: [])), reason: ""
                ),
                Step(index: 2, resource: chainbot, action: .daemonReload, reason: ""),
                Step(
                    index: 3, resource: chainbot, action: .systemctl(.start, unit: "chainbot.service"),
                    requires: [1, 2], reason: ""),
            ])
        return PreparedRun(plan: plan, failures: [], desired: [], applied: [:])
    }

    @Test func textShowsUnifiedDiffsStateChangesStepsAndCounts() {
        let text = PlanRenderer(colored: false).text(prepared)
        #expect(
            text == """
                ~ ConfigFile/chainbot-env will be updated
                    content: sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb
                    steps: write /opt/chainbot/.env
                ~ Service/chainbot will be updated
                    unit file:
                      @@ -1,2 +1,2 @@
                       [Service]
                      -ExecStart=/bin/a
                      +ExecStart=/bin/b
                    state: stopped → running
                    steps: write /etc/systemd/system/chainbot.service; systemctl daemon-reload; systemctl start chainbot.service
                - Service/old left the manifests (apply --prune removes it)
                2 to update, 1 left the manifests, 1 unchanged.

                """)
    }

    @Test func colorsMarkAddedAndRemovedLines() {
        let text = PlanRenderer(colored: true).text(prepared)
        #expect(text.contains("\u{1B}[31m-ExecStart=/bin/a\u{1B}[0m"))
        #expect(text.contains("\u{1B}[32m+ExecStart=/bin/b\u{1B}[0m"))
    }

    @Test func jsonListsResourcesChangesAndSteps() {
        let json = PlanRenderer(colored: false).json(prepared, generation: "abc").serialized()
        #expect(
            json.hasPrefix(
                #"{"schemaVersion":1,"generation":"abc","changed":true,"resources":[{"resource":"ConfigFile/chainbot-env","kind":"ConfigFile","name":"chainbot-env","action":"update""#
            ))
        #expect(json.contains(#"{"field":"state","from":"stopped","to":"running"}"#))
        #expect(
            json.contains(
                #"{"index":3,"resource":"Service/chainbot","kind":"Service","name":"chainbot","action":"systemctl start chainbot.service","requires":[1,2],"reason":""}"#
            ))
    }
}
