import ChainbotCore
import ChainbotYAML

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
            FieldSchema(
                "mode", .mode, default: "'0644'",
                doc:
                    "Permission bits in octal: quoted ('0640', '640', '0o640') or a YAML 1.2 octal number (0o640). An unquoted 0640 is the decimal 640 in YAML 1.2, so it is refused."
            ),
            FieldSchema(
                "owner", .string(.account),
                doc:
                    "Owning user (default: root). One the host does not know (under --root: the image's /etc/passwd) fails when the plan is made; nothing is written."
            ),
            FieldSchema(
                "group", .string(.account), doc: "Owning group (default: root); checked like owner, in /etc/group."),
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
            if let node = spec.valueNode("source"), !checkSource(source, resolved: resolved, at: node) { return nil }
            content = .source(path: resolved, relative: source)
        } else if let env = spec.value("env")?.map {
            checkEnvironmentValues(spec.valueNode("env"))
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

    /// Reports a `source` that is missing, not a regular file, or larger than the limit.
    private func checkSource(_ source: String, resolved: String, at node: Node) -> Bool {
        guard let status = context.sourceStatus(resolved) else {
            context.error(
                .sourceNotFound, "source file '\(source)' not found", detail: "looked for \(resolved)", at: node)
            return false
        }
        if !status.isRegular {
            context.error(
                .notARegularFile, "source file '\(source)' is \(status.type)",
                detail: "only regular files are read (\(resolved))", at: node)
            return false
        }
        if status.size > context.maxSourceBytes {
            context.error(
                .fileTooLarge, "source file '\(source)' is too large",
                detail: "\(status.size) bytes; the limit is \(context.maxSourceBytes) bytes", at: node)
            return false
        }
        return true
    }

    /// Reports plain `env` values with control characters other than tab and newline, which systemd's
    /// EnvironmentFile parser drops (the renderer refuses them).
    private func checkEnvironmentValues(_ node: Node?) {
        for pair in node?.mapping ?? [] {
            guard let scalar = pair.value.scalar, scalar.value != .null,
                scalar.text.unicodeScalars.contains(where: {
                    ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0x7f
                })
            else { continue }
            context.error(
                .unwritableValue, "invalid spec.env.\(pair.key.scalar?.text ?? "")",
                detail: "contains a control character other than tab or newline, which an EnvironmentFile cannot hold",
                at: pair.value)
        }
    }
}
