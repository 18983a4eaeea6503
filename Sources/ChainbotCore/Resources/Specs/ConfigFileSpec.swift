/// A file chainbot owns on the host.
public struct ConfigFileSpec: Sendable, Hashable, Codable {
    /// Where the file's bytes come from.
    public enum Content: Sendable, Hashable, Codable {
        /// Inline text from `spec.content`.
        case text(String)
        /// A file beside the manifest: `path` is resolved (absolute), `relative` as written.
        case source(path: String, relative: String)
        /// `KEY=value` lines for an `EnvironmentFile`, sorted by key.
        case env([EnvEntry])
    }

    /// Absolute path on the host (no `..`, not under /proc or /sys).
    public var path: String
    public var content: Content
    /// Permission bits, e.g. 0o644.
    public var mode: UInt32
    public var owner: String?
    public var group: String?
    /// Services restarted once per run when this file changes.
    public var notify: [ResourceID]

    public init(
        path: String, content: Content, mode: UInt32 = 0o644, owner: String? = nil, group: String? = nil,
        notify: [ResourceID] = []
    ) {
        self.path = path
        self.content = content
        self.mode = mode
        self.owner = owner
        self.group = group
        self.notify = notify
    }
}

/// One variable of an env-rendered ConfigFile.
public struct EnvEntry: Sendable, Hashable, Codable {
    public enum Value: Sendable, Hashable, Codable {
        case plain(String)
        /// Read at apply time; shown only as a hash.
        case secret(SecretRef)
    }

    public var key: String
    public var value: Value

    public init(key: String, value: Value) {
        self.key = key
        self.value = value
    }
}

/// A value kept outside the manifests: a file, or one `KEY=value` line of it.
public struct SecretRef: Sendable, Hashable, Codable {
    /// Absolute path of the secret file.
    public var file: String
    /// When set, the value of `KEY=` in that file; else the whole file (trailing newline trimmed).
    public var key: String?

    public init(file: String, key: String? = nil) {
        self.file = file
        self.key = key
    }
}
