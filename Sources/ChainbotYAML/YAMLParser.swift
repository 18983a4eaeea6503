internal import CYAML

/// Reads a YAML stream with libyaml's event API and composes position-carrying nodes.
public enum YAMLParser {
    /// Parses `bytes` (UTF-8) into documents under `limits`; never throws, every problem is reported.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .manifest) -> YAMLStream {
        // Placeholder until the composer lands.
        YAMLStream(documents: [], problems: [])
    }
}
