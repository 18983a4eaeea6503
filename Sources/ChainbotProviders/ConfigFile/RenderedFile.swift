import ChainbotCore

/// A ConfigFile's rendered bytes with the spec they came from: `render`'s payload, which `steps` writes.
///
/// The bytes may hold secret values, so the description and the mirror (`dump`) show only the path and
/// the digest.
struct RenderedFile: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The spec the bytes were rendered from; `steps` uses them only for the same spec.
    var spec: ConfigFileSpec
    /// The complete file content.
    var bytes: [UInt8]
    /// True when any secret value went into `bytes`.
    var holdsSecret: Bool

    var description: String { "\(spec.path) (\(ConfigFileFacets.digest(of: bytes)))" }

    var customMirror: Mirror {
        Mirror(self, children: ["path": spec.path, "digest": ConfigFileFacets.digest(of: bytes)])
    }
}
