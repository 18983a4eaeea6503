import ChainbotCore

extension ManifestSchema {
    static let host = ObjectSchema(
        "Host spec",
        [
            FieldSchema(
                "model", .string(.glob), doc: "A glob the device-tree model must match, e.g. 'Raspberry Pi 4*'."),
            FieldSchema("hostname", .string(.hostname), doc: "The host name chainbot sets."),
            FieldSchema("thermal", .object(thermal), doc: "Temperature thresholds."),
            FieldSchema("throttling", .object(throttling), doc: "Which `vcgencmd get_throttled` flags count as drift."),
            FieldSchema("disk", .object(disk), doc: "Minimum free disk space."),
            FieldSchema("memory", .object(memory), doc: "Minimum available memory."),
            FieldSchema(
                "bootConfig", .map(key: .bootSection, value: .map(key: .bootKey, value: .oneOrMany(.scalarLine))),
                doc:
                    "config.txt keys by section (`all`, `pi4`, `pi5`, …); a list writes a repeatable key (dtoverlay) once per value. Changes mark reboot required; chainbot never reboots."
            ),
        ])

    static let thermal = ObjectSchema(
        "thermal",
        [
            FieldSchema("warnC", .number(0...120), doc: "Warning threshold in °C."),
            FieldSchema("critC", .number(0...120), doc: "Critical threshold in °C."),
        ],
        requireOne: [["warnC", "critC"]])

    static let throttling = ObjectSchema(
        "throttling",
        [
            FieldSchema(
                "forbid", .list(.enumeration(HostSpec.ThrottleFlag.allCases.map(\.rawValue))),
                default: "all four flags",
                doc: "Flags that count as drift: underVoltage, frequencyCapped, throttled, softTempLimit."),
            FieldSchema(
                "sinceBoot", .boolean, default: "false",
                doc: "Count flags that occurred since boot, not only current ones."),
        ])

    static let disk = ObjectSchema(
        "disk",
        [
            FieldSchema("minFreePercent", .number(0...100), required: true, doc: "Minimum free space, percent."),
            FieldSchema("paths", .list(.string(.absolutePath)), default: "[/]", doc: "Mount points checked."),
        ])

    static let memory = ObjectSchema(
        "memory",
        [FieldSchema("minAvailableMB", .integer(0...1_048_576), required: true, doc: "Minimum MemAvailable, MiB.")])
}

extension SpecDecoder {
    func host(_ spec: ObjectReader) -> HostSpec? {
        let thermal = spec.object("thermal")
        let warn = thermal?.double("warnC")
        let crit = thermal?.double("critC")
        if let warn, let crit, warn >= crit, let node = thermal?.valueNode("warnC") {
            context.error(
                .inconsistentValues, "spec.thermal.warnC is not below critC",
                detail: "\(FieldType.trim(warn)) ≥ \(FieldType.trim(crit))", at: node)
        }
        if let name = spec.string("hostname"), name.utf8.count > 64, let node = spec.valueNode("hostname") {
            context.error(
                .invalidHostname, "invalid spec.hostname '\(name)'",
                detail: "a host name is at most 64 characters (the kernel's limit)", at: node)
        }
        let throttling = spec.object("throttling")
        let forbidden: [HostSpec.ThrottleFlag] =
            if let throttling {
                throttling.strings("forbid")?.compactMap(HostSpec.ThrottleFlag.init) ?? HostSpec.ThrottleFlag.allCases
            } else { [] }
        let bootConfig = (spec.value("bootConfig")?.map ?? []).map { section in
            BootConfigSection(
                section: section.key,
                entries: (section.value.map ?? []).map { entry in
                    BootConfigEntry(key: entry.key, values: entry.value.list?.compactMap(\.string) ?? [])
                })
        }
        return HostSpec(
            model: spec.string("model"), hostname: spec.string("hostname"), thermalWarnC: warn, thermalCritC: crit,
            forbiddenThrottling: forbidden, throttlingSinceBoot: throttling?.bool("sinceBoot") ?? false,
            diskMinFreePercent: spec.object("disk")?.double("minFreePercent"),
            diskPaths: spec.object("disk")?.strings("paths") ?? ["/"],
            memoryMinAvailableMB: spec.object("memory")?.int("minAvailableMB"), bootConfig: bootConfig)
    }
}
