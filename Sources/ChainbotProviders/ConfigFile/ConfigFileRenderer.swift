import ChainbotCore

/// Turns a ConfigFile spec into the file's bytes: inline text, a source file beside the manifest, or
/// `KEY=value` lines with secrets filled in.
struct ConfigFileRenderer: Sendable {
    /// Where `.source` files are read: the filesystem the manifests live on, not the target root.
    let sources: any HostFileSystem
    let secrets: SecretReader

    /// The rendered file; reads the source file or the secret files the spec names.
    func render(_ spec: ConfigFileSpec) throws(ProviderError) -> RenderedFile {
        switch spec.content {
        case .text(let text):
            return RenderedFile(spec: spec, bytes: Array(text.utf8), holdsSecret: false)
        case .source(let path, let relative):
            guard let bytes = try sources.read(path) else {
                throw ProviderError("source file '\(relative)' not found (looked at \(path))")
            }
            return RenderedFile(spec: spec, bytes: bytes, holdsSecret: false)
        case .env(let entries):
            var values: [(key: String, value: String)] = []
            for entry in entries {
                switch entry.value {
                case .plain(let value): values.append((entry.key, value))
                case .secret(let secret): values.append((entry.key, try secrets.value(of: secret)))
                }
            }
            return try Self.environmentFile(spec, values)
        }
    }

    /// The rendered file when the spec alone determines it (inline text, env without secrets), without
    /// any I/O; nil when a source or secret file must be read.
    static func renderInline(_ spec: ConfigFileSpec) throws(ProviderError) -> RenderedFile? {
        switch spec.content {
        case .text(let text):
            return RenderedFile(spec: spec, bytes: Array(text.utf8), holdsSecret: false)
        case .source:
            return nil
        case .env(let entries):
            var values: [(key: String, value: String)] = []
            for entry in entries {
                guard case .plain(let value) = entry.value else { return nil }
                values.append((entry.key, value))
            }
            return try environmentFile(spec, values)
        }
    }

    private static func environmentFile(
        _ spec: ConfigFileSpec, _ values: [(key: String, value: String)]
    ) throws(ProviderError) -> RenderedFile {
        let text = try EnvironmentFileText.render(values)
        return RenderedFile(spec: spec, bytes: Array(text.utf8), holdsSecret: ConfigFileFacets.holdsSecret(spec))
    }
}
