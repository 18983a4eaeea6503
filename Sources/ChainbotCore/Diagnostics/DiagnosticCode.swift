/// The stable codes a manifest diagnostic can carry, printed as `[code]` and in `-o json`.
///
/// Codes are part of the CLI contract: scripts match on them, so a code is never renamed.
public enum DiagnosticCode: String, Sendable, Hashable, CaseIterable {
    // Files and YAML.
    case ioError = "io-error"
    case fileTooLarge = "file-too-large"
    case invalidEncoding = "invalid-encoding"
    case byteOrderMark = "byte-order-mark"
    case yamlSyntax = "yaml-syntax"
    case tabIndentation = "tab-indentation"
    case emptyFile = "empty-file"
    case tooDeep = "too-deep"
    case tooManyDocuments = "too-many-documents"
    case aliasBudget = "alias-budget"
    case undefinedAlias = "undefined-alias"
    case duplicateKey = "duplicate-key"
    case invalidMerge = "invalid-merge"
    case unsupportedTag = "unsupported-tag"
    case symlinkLoop = "symlink-loop"
    case noManifests = "no-manifests"
    case notARegularFile = "not-a-regular-file"
    case tooManyFiles = "too-many-files"

    // One document.
    case notAMapping = "not-a-mapping"
    case unsupportedAPIVersion = "unsupported-api-version"
    case unknownKind = "unknown-kind"
    case missingField = "missing-field"
    case unknownField = "unknown-field"
    case typeMismatch = "type-mismatch"
    case invalidEnum = "invalid-enum"
    case outOfRange = "out-of-range"
    case invalidName = "invalid-name"
    case invalidUnitName = "invalid-unit-name"
    case invalidPath = "invalid-path"
    case invalidCIDR = "invalid-cidr"
    case invalidAddress = "invalid-address"
    case invalidDuration = "invalid-duration"
    case invalidPort = "invalid-port"
    case invalidReference = "invalid-reference"
    case invalidURL = "invalid-url"
    case invalidMode = "invalid-mode"
    case invalidIdentifier = "invalid-identifier"
    case invalidInterface = "invalid-interface"
    case invalidHostname = "invalid-hostname"
    case invalidPattern = "invalid-pattern"
    case invalidSecretRef = "invalid-secret-ref"
    case conflictingFields = "conflicting-fields"
    case missingOneOf = "missing-one-of"
    case inconsistentValues = "inconsistent-values"
    case sourceNotFound = "source-not-found"
    case unwritableValue = "unwritable-value"

    // Across the manifest set.
    case duplicateResource = "duplicate-resource"
    case danglingReference = "dangling-reference"
    case dependencyCycle = "dependency-cycle"
    case portConflict = "port-conflict"
    case dropsManagementPort = "drops-management-port"
    case singletonKind = "singleton-kind"
    case duplicatePath = "duplicate-path"
    case duplicateUnit = "duplicate-unit"
    case duplicateAgentID = "duplicate-agent-id"
    case contradictoryRules = "contradictory-rules"
    case shadowedRule = "shadowed-rule"

    /// True for problems reading the files themselves, which the CLI reports with exit 2, not 65.
    public var isIOError: Bool { self == .ioError }

    /// One sentence saying what the code means, for `chainbot explain` and the README (every code has
    /// one: `DiagnosticCodeTests`).
    public var summary: String { fileSummary ?? setSummary ?? valueSummary }

    /// Files and YAML.
    private var fileSummary: String? {
        switch self {
        case .ioError: "A manifest path could not be read (missing, unreadable, not a regular file)."
        case .fileTooLarge: "A manifest file or a ConfigFile source file is larger than its size limit (8 MiB)."
        case .invalidEncoding: "A manifest file is not valid UTF-8."
        case .byteOrderMark: "A manifest file starts with a UTF-8 byte-order mark (accepted, ignored)."
        case .yamlSyntax: "The YAML parser rejected the text."
        case .tabIndentation: "A tab is used for indentation; YAML allows spaces only."
        case .emptyFile: "A manifest file holds no document."
        case .tooDeep: "Nesting is deeper than the depth limit."
        case .tooManyDocuments: "A file holds more documents than the limit."
        case .aliasBudget: "Aliases would expand past the node budget (an alias bomb)."
        case .undefinedAlias: "An alias names an anchor that is not defined before it."
        case .duplicateKey: "A mapping has the same key twice."
        case .invalidMerge: "A merge key `<<` is given something other than a mapping or a list of mappings."
        case .unsupportedTag: "A node carries a YAML tag chainbot does not read."
        case .symlinkLoop: "A manifest directory contains a symbolic-link loop."
        case .noManifests: "A directory holds no `*.yaml` or `*.yml` file."
        case .notARegularFile:
            "A manifest or source path is a FIFO, socket or device, not a regular file; it is never opened for reading."
        case .tooManyFiles: "The manifest paths hold more than 10,000 manifest files; the rest are not read."
        default: nil
        }
    }

    /// Documents, fields and values.
    private var valueSummary: String {
        switch self {
        case .notAMapping: "A document is not a mapping with apiVersion, kind, metadata and spec."
        case .unsupportedAPIVersion: "apiVersion is not `chainbot.dev/v1`."
        case .unknownKind: "kind is not one of the eight resource kinds."
        case .missingField: "A required field is absent."
        case .unknownField: "A field is not part of the kind's schema."
        case .typeMismatch: "A value has the wrong type (for example a list where a string is expected)."
        case .invalidEnum: "A value is not one of the allowed words."
        case .outOfRange: "A number is outside its allowed range."
        case .invalidName: "A name is not a DNS-1123 label (lowercase letters, digits, '-', at most 63)."
        case .invalidUnitName: "A systemd unit name is malformed or has the wrong suffix."
        case .invalidPath: "A path is not absolute, contains '..', or points into /proc or /sys."
        case .invalidCIDR: "A network is not an IPv4/IPv6 address with an optional prefix length."
        case .invalidAddress: "A bind address is not an IPv4 or IPv6 address."
        case .invalidDuration: "A duration is not like `250ms`, `30s`, `5m`, `1h30m`."
        case .invalidPort: "A port is outside 1–65535 or a range is empty."
        case .invalidReference: "A reference is not `Kind/name` of the expected kind."
        case .invalidURL: "A URL is not an http:// or https:// URL."
        case .invalidMode: "A file mode is not octal: write it quoted ('0640') or as a YAML 1.2 octal number (0o640)."
        case .invalidIdentifier: "A user, group, label or variable name has characters it may not have."
        case .invalidInterface: "A network interface name is empty, too long (over 15) or has '/' or spaces."
        case .invalidHostname: "A hostname is not a valid DNS name."
        case .invalidPattern: "A glob pattern is malformed."
        case .invalidSecretRef: "A secretRef is malformed."
        case .conflictingFields: "Fields that exclude each other are both given."
        case .missingOneOf: "None of a set of alternative fields is given."
        case .inconsistentValues: "Values contradict each other (for example warnC above critC)."
        case .sourceNotFound: "A ConfigFile source file does not exist beside the manifest."
        case .unwritableValue:
            "A value holds what its file cannot: a line break or control character in a unit-file or config.txt line, a trailing backslash, or a control character in an EnvironmentFile value."
        default: ""
        }
    }

    /// The manifest set as a whole.
    private var setSummary: String? {
        switch self {
        case .duplicateResource: "The same Kind/name is defined twice in the manifest set."
        case .danglingReference: "A reference (owner, service, notify, dependsOn) names no resource in the set."
        case .dependencyCycle: "Resources depend on each other in a cycle."
        case .portConflict: "Two Ports claim the same port, protocol and address."
        case .dropsManagementPort: "The firewall would drop or reject a management port."
        case .singletonKind: "More than one Firewall or Host is defined."
        case .duplicatePath: "Two ConfigFiles manage the same path."
        case .duplicateUnit: "Two Services manage the same systemd unit."
        case .duplicateAgentID: "Two Agents register the same ALEX OS agent id."
        case .contradictoryRules: "Two FirewallRules match the same traffic with different actions."
        case .shadowedRule: "A FirewallRule can never match because an earlier rule matches first."
        default: nil
        }
    }
}
