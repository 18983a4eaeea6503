import ChainbotCore

extension ManifestSchema {
    static let service = ObjectSchema(
        "Service spec",
        [
            FieldSchema(
                "unitName", .string(.unitName(suffixes: [".service"])), default: "NAME.service",
                doc: "The unit's file name, when it differs from `metadata.name` + `.service`."),
            FieldSchema("description", .string(.line), doc: "`Description=` of the unit."),
            FieldSchema("exec", .string(.command), doc: "`ExecStart=`: an absolute program path and its arguments."),
            FieldSchema(
                "type", .enumeration(["simple", "exec", "forking", "oneshot", "notify", "idle"]),
                default: "exec", doc: "`Type=` of the service (exec: start fails when the program cannot run)."),
            FieldSchema("user", .string(.account), doc: "`User=` the service runs as."),
            FieldSchema("group", .string(.account), doc: "`Group=` the service runs as."),
            FieldSchema("workingDirectory", .string(.unitPath), doc: "`WorkingDirectory=`."),
            FieldSchema("environment", .map(key: .envName, value: .scalarText), doc: "`Environment=` variables."),
            FieldSchema(
                "environmentFile", .string(.unitPath),
                doc: "`EnvironmentFile=`; a change to it restarts the service."),
            FieldSchema("after", .list(.string(.unitName(suffixes: nil))), doc: "`After=` units."),
            FieldSchema("wants", .list(.string(.unitName(suffixes: nil))), doc: "`Wants=` units."),
            FieldSchema("requires", .list(.string(.unitName(suffixes: nil))), doc: "`Requires=` units."),
            FieldSchema(
                "wantedBy", .list(.string(.unitName(suffixes: [".target"]))), default: "[multi-user.target]",
                doc: "`WantedBy=` targets in `[Install]`."),
            FieldSchema(
                "restart",
                .enumeration(["no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog"]),
                doc: "`Restart=` policy."),
            FieldSchema("restartSec", .duration(minimum: .zero), doc: "`RestartSec=`."),
            FieldSchema("hardening", .object(hardening), doc: "systemd sandboxing options."),
            FieldSchema("unit", .string(.nonEmpty), doc: "Raw unit file text, instead of the structured fields."),
            FieldSchema(
                "dropIns", .map(key: .dropInName, value: .string(.nonEmpty)),
                doc: "Drop-in files by name, written to `UNIT.d/NAME.conf`."),
            FieldSchema("enabled", .boolean, default: "true", doc: "Whether the unit is enabled at boot."),
            FieldSchema(
                "state", .enumeration(ServiceSpec.State.allCases.map(\.rawValue)), default: "running",
                doc: "Whether the unit should be running or stopped."),
            FieldSchema("healthCheck", .object(healthCheck), doc: "A probe beyond systemd's own state."),
            FieldSchema(
                "minUptime", .duration(minimum: .zero, maximum: ServiceSpec.maximumMinUptime), default: "200ms",
                doc: "How long the service must stay active after chainbot starts or restarts it before the start "
                    + "counts as done: failing or being restarted by systemd within it fails the step (every start "
                    + "waits for it; 0s: systemd's finished start job is enough)."),
        ],
        exclusive: structuredFields.map { ["unit", $0] },
        requireOne: [["exec", "unit"]])

    /// The fields that build the unit from structure, which raw `unit:` text excludes.
    static let structuredFields = [
        "exec", "description", "type", "user", "group", "workingDirectory", "environment", "environmentFile",
        "after", "wants", "requires", "wantedBy", "restart", "restartSec", "hardening",
    ]

    static let hardening = ObjectSchema(
        "hardening",
        [
            FieldSchema("noNewPrivileges", .boolean, doc: "`NoNewPrivileges=`."),
            FieldSchema("privateTmp", .boolean, doc: "`PrivateTmp=`."),
            FieldSchema("protectSystem", .enumeration(["true", "false", "full", "strict"]), doc: "`ProtectSystem=`."),
            FieldSchema("protectHome", .enumeration(["true", "false", "read-only", "tmpfs"]), doc: "`ProtectHome=`."),
            FieldSchema("readWritePaths", .list(.string(.unitPath)), doc: "`ReadWritePaths=`."),
        ])

    static let healthCheck = ObjectSchema(
        "healthCheck",
        [
            FieldSchema(
                "http", .string(.url), doc: "GET this URL; healthy on 2xx and a JSON `status` of ok/healthy if present."
            ),
            FieldSchema("tcp", .string(.endpoint), doc: "Connect to this host:port."),
            FieldSchema("exec", .string(.command), doc: "Run this command; healthy on exit status 0."),
            FieldSchema("interval", .duration(minimum: .seconds(1)), default: "30s", doc: "Time between probes."),
            FieldSchema("timeout", .duration(minimum: .milliseconds(1)), default: "5s", doc: "Time a probe may take."),
        ],
        exclusive: [["http", "tcp", "exec"]],
        requireOne: [["http", "tcp", "exec"]])
}

extension SpecDecoder {
    func service(_ spec: ObjectReader, name: String) -> ServiceSpec? {
        let definition: ServiceSpec.Definition
        if let unit = spec.string("unit") {
            definition = .raw(unit)
        } else if let exec = spec.string("exec") {
            let hardening = spec.object("hardening").map { h in
                Hardening(
                    noNewPrivileges: h.bool("noNewPrivileges"), privateTmp: h.bool("privateTmp"),
                    protectSystem: h.string("protectSystem"), protectHome: h.string("protectHome"),
                    readWritePaths: h.strings("readWritePaths") ?? [])
            }
            definition = .structured(
                ServiceUnit(
                    description: spec.string("description"), exec: exec, type: spec.string("type"),
                    user: spec.string("user"), group: spec.string("group"),
                    workingDirectory: spec.string("workingDirectory"),
                    environment: sortedTexts(spec.stringMap("environment")),
                    environmentFile: spec.string("environmentFile"), after: spec.strings("after") ?? [],
                    wants: spec.strings("wants") ?? [], requires: spec.strings("requires") ?? [],
                    wantedBy: spec.strings("wantedBy") ?? ["multi-user.target"], restart: spec.string("restart"),
                    restartSec: spec.duration("restartSec"), hardening: hardening))
        } else {
            return nil
        }
        var healthCheck: HealthCheck?
        if let check = spec.object("healthCheck") {
            let probe: HealthCheck.Probe? =
                check.string("http").map(HealthCheck.Probe.http) ?? check.string("tcp").map(HealthCheck.Probe.tcp)
                ?? check.string("exec").map(HealthCheck.Probe.exec)
            let interval = check.duration("interval") ?? .seconds(30)
            let timeout = check.duration("timeout") ?? .seconds(5)
            if timeout > interval, let node = check.valueNode("timeout") {
                context.error(
                    .inconsistentValues, "spec.healthCheck.timeout is longer than its interval",
                    detail: "\(DurationText.format(timeout)) > \(DurationText.format(interval))", at: node)
            }
            if let probe { healthCheck = HealthCheck(probe: probe, interval: interval, timeout: timeout) }
        }
        return ServiceSpec(
            unitName: spec.string("unitName") ?? "\(name).service", definition: definition,
            dropIns: sortedTexts(spec.stringMap("dropIns")), enabled: spec.bool("enabled") ?? true,
            state: spec.string("state").flatMap(ServiceSpec.State.init) ?? .running, healthCheck: healthCheck,
            minUptime: spec.duration("minUptime"))
    }

    func sortedTexts(_ pairs: [(key: String, value: String)]?) -> [NamedText] {
        (pairs ?? []).map { NamedText(name: $0.key, text: $0.value) }.sorted { $0.name < $1.name }
    }
}
