public import ChainbotCore

/// What a string value must look like.
public enum StringFormat: Sendable {
    /// Any text.
    case text
    /// Any non-empty text.
    case nonEmpty
    /// Text that fits on one line of a unit file: no line break or control character (tab allowed),
    /// no final backslash.
    case line
    /// A DNS-1123 label.
    case name
    /// A systemd unit name; when `suffixes` is set, it must end with one of them.
    case unitName(suffixes: [String]?)
    /// An absolute path without `..`.
    case absolutePath
    /// An absolute path written into a unit file: one line, no quotes or backslashes.
    case unitPath
    /// An absolute host path chainbot may write: no `..`, not `/`, not under /proc, /sys or /dev.
    case writablePath
    /// A path relative to the manifest's directory (or absolute), naming an existing file.
    case sourceFile
    /// An IPv4/IPv6 network, `ADDRESS[/PREFIX]`.
    case cidr
    /// An IPv4/IPv6 address.
    case address
    /// `host:port` or `[v6]:port`.
    case endpoint
    /// An http:// or https:// URL.
    case url
    /// An http(s) URL or an absolute URL path (`/health`).
    case urlOrPath
    /// A POSIX user or group name.
    case account
    /// An environment variable name.
    case envName
    /// A label or annotation key (`[prefix/]name`).
    case labelKey
    /// A host label's value: at most 63 letters, digits, `-`, `_`, `.`, starting and ending alphanumeric.
    case labelValue
    /// A network interface name (1–15 characters).
    case interface
    /// A DNS hostname.
    case hostname
    /// A shell-style glob.
    case glob
    /// `Kind/name` of one of these kinds.
    case reference([Kind])
    /// A command line whose first word is an absolute path (systemd `Exec` prefixes allowed).
    case command
    /// A `config.txt` key.
    case bootKey
    /// A `config.txt` section filter (`all`, `pi4`, `cm5`, `HDMI:0`, …).
    case bootSection
    /// A drop-in file name (without `.conf`).
    case dropInName
}

/// The type of a field's value, with the constraints validation applies.
public indirect enum FieldType: Sendable {
    case string(StringFormat)
    case integer(ClosedRange<Int>)
    case number(ClosedRange<Double>)
    case boolean
    case enumeration([String])
    /// A TCP/UDP port, 1–65535.
    case port
    /// A port or a range written `LOW-HIGH`.
    case portRange
    /// A duration like `30s`, at least `minimum` and at most `maximum` (nil: a year, any duration's limit).
    case duration(minimum: Duration, maximum: Duration? = nil)
    /// File permission bits as a quoted octal string (`'0640'`) or a `0o640` integer.
    case mode
    /// A list of values of one type.
    case list(FieldType)
    /// A mapping from keys of one format to values of one type.
    case map(key: StringFormat, value: FieldType)
    /// A mapping with a fixed set of fields.
    case object(ObjectSchema)
    /// A scalar (string, number or boolean) taken as its text, or `{secretRef: {file, key}}`.
    case secretOrText
    /// A scalar (string, number or boolean) taken as its text.
    case scalarText
    /// A scalar taken as its text, which must fit on one line (a `config.txt` value).
    case scalarLine
    /// One value, or a list of them.
    case oneOrMany(FieldType)
    /// Any node; the caller checks it (a document's `spec`, whose schema depends on its kind).
    case any

    /// How the type reads in messages and `explain` ("an integer 1–65535", "a list of …").
    public var summary: String {
        switch self {
        case .string(let format): format.summary
        case .integer(let range): "an integer \(range.lowerBound)–\(range.upperBound)"
        case .number(let range): "a number \(FieldType.trim(range.lowerBound))–\(FieldType.trim(range.upperBound))"
        case .boolean: "true or false"
        case .enumeration(let words): "one of " + words.joined(separator: ", ")
        case .port: "a port 1–65535"
        case .portRange: "a port 1–65535 or a range like '8000-8100'"
        case .duration(_, let maximum?): "a duration like 30s, 5m, 1h30m, at most \(DurationText.format(maximum))"
        case .duration: "a duration like 30s, 5m, 1h30m"
        case .mode: "an octal mode like '0640' (quoted) or 0o640"
        case .list(let item): "a list, each " + item.summary
        case .map(let key, let value): "a mapping of \(key.summary) to \(value.summary)"
        case .object(let schema): "a mapping (\(schema.title))"
        case .secretOrText: "a string, or {secretRef: {file, key}}"
        case .scalarText: "a string, number or boolean"
        case .scalarLine: "a one-line string, number or boolean"
        case .oneOrMany(let item): item.summary + ", or a list of them"
        case .any: "a mapping whose fields depend on the kind"
        }
    }

    /// A number as a person writes it: `120`, `12.5`; never traps (`Int(_:)` of a Double would, past 2^63).
    static func trim(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

extension StringFormat {
    /// How the format reads in messages and `explain`.
    public var summary: String {
        switch self {
        case .text: "a string"
        case .nonEmpty: "a non-empty string"
        case .line: "a one-line string"
        case .name: "a DNS-1123 name"
        case .unitName(let suffixes):
            if let suffixes, suffixes.count == 1 {
                "a systemd unit name ending in \(suffixes[0])"
            } else {
                "a systemd unit name"
            }
        case .absolutePath: "an absolute path"
        case .unitPath: "an absolute path (one line, no quotes or backslashes)"
        case .writablePath: "an absolute path outside /proc, /sys and /dev"
        case .sourceFile: "a file path relative to the manifest"
        case .cidr: "an IP network like 10.0.0.0/24"
        case .address: "an IP address"
        case .endpoint: "a host:port"
        case .url: "an http(s) URL"
        case .urlOrPath: "an http(s) URL or a path like /health"
        case .account: "a user or group name"
        case .envName: "an environment variable name"
        case .labelKey: "a label key"
        case .labelValue: "a label value"
        case .interface: "a network interface name"
        case .hostname: "a hostname"
        case .glob: "a glob pattern"
        case .reference(let kinds): "a reference " + kinds.map { "\($0.rawValue)/NAME" }.joined(separator: " or ")
        case .command: "a one-line command starting with an absolute path"
        case .bootKey: "a config.txt key"
        case .bootSection: "a config.txt section name"
        case .dropInName: "a drop-in name"
        }
    }
}

/// One field of an object: its name, type, whether it is required, its default and its documentation.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    /// The default as a person would write it, for `explain` (nil: no default).
    public var defaultValue: String?
    public var doc: String

    public init(
        _ name: String, _ type: FieldType, required: Bool = false, default defaultValue: String? = nil,
        doc: String
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// The fields of a mapping, and which of them exclude or require one another.
public struct ObjectSchema: Sendable {
    /// A short name for messages and `explain` ("Service spec").
    public var title: String
    public var fields: [FieldSchema]
    /// Groups of which at most one field may be given.
    public var exclusive: [[String]]
    /// Groups of which at least one field must be given.
    public var requireOne: [[String]]

    public init(_ title: String, _ fields: [FieldSchema], exclusive: [[String]] = [], requireOne: [[String]] = []) {
        self.title = title
        self.fields = fields
        self.exclusive = exclusive
        self.requireOne = requireOne
    }

    public func field(_ name: String) -> FieldSchema? {
        fields.first { $0.name == name }
    }
}
