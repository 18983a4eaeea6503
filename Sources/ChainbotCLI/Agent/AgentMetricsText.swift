/// Writes the Prometheus text exposition format (version 0.0.4): every family with its `# HELP` and
/// `# TYPE` lines before its samples, label values and help text escaped, values in Go's float syntax.
struct AgentMetricsText {
    /// A family's type, as the `# TYPE` line spells it.
    enum Kind: String {
        case counter, gauge, summary
    }

    /// One sample line: a suffix of the family's name (`_sum`, `_count`, or none), labels and a value.
    struct Sample {
        var suffix = ""
        var labels: [(String, String)] = []
        var value: String

        init(suffix: String = "", _ labels: [(String, String)] = [], _ value: String) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }

        init(_ labels: [(String, String)] = [], _ value: Int) { self.init(labels, String(value)) }

        init(_ labels: [(String, String)] = [], _ value: Double) { self.init(labels, AgentMetricsText.number(value)) }

        init(_ labels: [(String, String)] = [], _ value: Bool) { self.init(labels, value ? "1" : "0") }
    }

    private(set) var lines: [String] = []

    /// Appends a family; one without samples is left out whole (an absent gauge, never a fake 0).
    mutating func family(_ name: String, _ kind: Kind, _ help: String, _ samples: [Sample]) {
        guard !samples.isEmpty else { return }
        lines.append("# HELP \(name) \(Self.escapeHelp(help))")
        lines.append("# TYPE \(name) \(kind.rawValue)")
        for sample in samples {
            let labels =
                sample.labels.isEmpty
                ? "" : "{" + sample.labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
            lines.append("\(name)\(sample.suffix)\(labels) \(sample.value)")
        }
    }

    /// A family of one unlabelled sample.
    mutating func family(_ name: String, _ kind: Kind, _ help: String, _ value: Sample) {
        family(name, kind, help, [value])
    }

    /// The page: every line, each ending in a newline.
    var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    /// A label value: backslash, double quote and line feed escaped, as the format requires.
    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Help text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// A float as Prometheus reads it: `NaN`, `+Inf`, `-Inf`, integers without a fraction, else Swift's
    /// shortest round-tripping form.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Milliseconds as seconds with three decimals (`1764583200.250`), in integers: the state file's
    /// timestamps are outside data, and any Int64 of them prints.
    static func seconds(milliseconds: Int64) -> String {
        let magnitude = milliseconds.magnitude
        let rest = magnitude % 1000
        return "\(milliseconds < 0 ? "-" : "")\(magnitude / 1000).\(rest < 10 ? "00" : rest < 100 ? "0" : "")\(rest)"
    }
}
