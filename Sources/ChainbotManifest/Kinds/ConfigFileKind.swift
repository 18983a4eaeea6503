import ChainbotCore

extension ManifestSchema {
    static let configFile = ObjectSchema(
        "ConfigFile spec",
        [
            FieldSchema(
                "path", .string(.writablePath), required: true,
                doc: "Absolute path on the host; no '..', not under /proc, /sys or /dev."),
            FieldSchema("content", .string(.text), doc: "The file's text."),
            FieldSchema("source", .string(.sourceFile), doc: "A file beside the manifest whose bytes are copied."),
            FieldSchema(
                "env", .map(key: .envName, value: .secretOrText),
                doc: "Rendered as `KEY=value` lines (an EnvironmentFile); a value may be `{secretRef: {file, key}}`."),
            FieldSchema("mode", .mode, default: "'0644'", doc: "Permission bits, a quoted octal string."),
            FieldSchema("owner", .string(.account), doc: "Owning user (default: root)."),
            FieldSchema("group", .string(.account), doc: "Owning group (default: root)."),
            FieldSchema(
                "notify", .list(.string(.reference([.service]))),
                doc: "Services restarted once per run when the file changes."),
        ],
        exclusive: [["content", "source", "env"]],
        requireOne: [["content", "source", "env"]])
}

extension SpecDecoder {
    func configFile(_ spec: ObjectReader) -> ConfigFileSpec? {
        guard let path = spec.string("path") else { return nil }
        let content: ConfigFileSpec.Content
        if let text = spec.string("content") {
            content = .text(text)
        } else if let source = spec.string("source") {
            let resolved = source.hasPrefix("/") ? source : context.directory + "/" + source
            if !context.fileExists(resolved), let node = spec.valueNode("source") {
                context.error(
                    .sourceNotFound, "source file '\(source)' not found", detail: "looked for \(resolved)", at: node)
                return nil
            }
            content = .source(path: resolved, relative: source)
        } else if let env = spec.value("env")?.map {
            let entries = env.compactMap { entry -> EnvEntry? in
                switch entry.value {
                case .string(let text): EnvEntry(key: entry.key, value: .plain(text))
                case .secret(let ref): EnvEntry(key: entry.key, value: .secret(ref))
                default: nil
                }
            }
            content = .env(entries.sorted { $0.key < $1.key })
        } else {
            return nil
        }
        var mode: UInt32 = 0o644
        if case .mode(let value)? = spec.value("mode") { mode = value }
        return ConfigFileSpec(
            path: path, content: content, mode: mode, owner: spec.string("owner"), group: spec.string("group"),
            notify: spec.references("notify") ?? [])
    }
}
