/// Reads a YAML stream with libyaml's event API and composes position-carrying nodes.
///
/// The input must be UTF-8 (a leading UTF-8 byte order mark is allowed). Plain scalars resolve under the
/// YAML 1.2 core schema; aliases are expanded, merge keys applied and duplicate keys reported.
public enum YAMLParser {
    /// Parses `bytes` (UTF-8) into documents under `limits`; never throws, every problem is reported.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .manifest) -> YAMLStream {
        if let problem = preflight(bytes, limits: limits) {
            return YAMLStream(documents: [], problems: [problem])
        }
        let reader = EventReader(bytes)
        var composer = Composer(limits: limits)
        while true {
            switch reader.next() {
            case .success(let event):
                if case .streamEnd = event.kind {
                    return composer.finish(fatal: nil)
                }
                if let fatal = composer.consume(event) {
                    return composer.finish(fatal: fatal)
                }
            case .failure(let failure):
                return composer.finish(fatal: failure.problem(in: SourceText(bytes: bytes)))
            }
        }
    }

    /// The problem that stops `bytes` before libyaml sees them: too large, or not UTF-8 by its first bytes.
    static func preflight(_ bytes: [UInt8], limits: YAMLLimits) -> YAMLProblem? {
        let start = Mark(line: 1, column: 1)
        if bytes.count > limits.maxBytes {
            return YAMLProblem(
                .fileTooLarge, "manifest is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes", at: start)
        }
        if let encoding = EncodingSniffer.nonUTF8Encoding(of: bytes) {
            return YAMLProblem(
                .invalidEncoding, "manifest is \(encoding) encoded; only UTF-8 is read", at: start)
        }
        return nil
    }
}
