/// A strict reader of the Prometheus text format (0.0.4) for the metrics tests: every sample belongs to a
/// family announced by `# HELP` and `# TYPE` lines before it, names and label names are valid, label
/// values are escaped (only `\\`, `\"` and `\n`), values are floats, no family or series appears twice.
/// Anything else is an error naming the line.
struct AgentMetricsStrictParser {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var help: String
        var type: String
        var samples: [Sample] = []
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var families: [String: Family] = [:]

    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw Problem(description: "the page does not end in a newline") }
        var help: [String: String] = [:]
        var current: String?
        var series = Set<String>()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let where_ = "line \(number + 1) '\(line)'"
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                guard Self.validName(name), help[name] == nil else { throw Problem(description: "\(where_): bad HELP") }
                help[name] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, let text = help[String(parts[0])], families[String(parts[0])] == nil,
                    ["counter", "gauge", "summary", "histogram", "untyped"].contains(parts[1])
                else { throw Problem(description: "\(where_): TYPE without its HELP just before, or repeated") }
                families[String(parts[0])] = Family(help: text, type: String(parts[1]))
                current = String(parts[0])
            } else {
                guard let family = current else { throw Problem(description: "\(where_): sample before any TYPE") }
                let sample = try Self.sample(line, where_)
                let allowed =
                    [family] + (families[family]?.type == "summary" ? [family + "_sum", family + "_count"] : [])
                guard allowed.contains(sample.name) else {
                    throw Problem(description: "\(where_): sample of '\(sample.name)' inside family '\(family)'")
                }
                let key = sample.name + "\(sample.labels.sorted { $0.key < $1.key })"
                guard series.insert(key).inserted else { throw Problem(description: "\(where_): repeated series") }
                families[family]?.samples.append(sample)
            }
        }
    }

    /// The samples of `name` (a family), each as its labels and value.
    func samples(_ name: String) -> [Sample] { families[name]?.samples ?? [] }

    /// The one sample of `name` whose labels include `labels`, if exactly one does.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples(name).filter { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.count == 1 ? matching[0].value : nil
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (label names: the same without `:`, checked by the caller).
    static func validName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        func letter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == ":"
        }
        guard let first = scalars.first, letter(first) else { return false }
        return scalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    private static func sample(_ line: Substring, _ where_: String) throws -> Sample {
        var rest = line[...]
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        guard validName(name) else { throw Problem(description: "\(where_): bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard validName(label), !label.contains(":"), labels[label] == nil else {
                    throw Problem(description: "\(where_): bad label name '\(label)'")
                }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw Problem(description: "\(where_): label without =\"") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.first else { throw Problem(description: "\(where_): open label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Problem(description: "\(where_): bad escape in a label value")
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                labels[label] = value
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw Problem(description: "\(where_): labels not separated by commas")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Problem(description: "\(where_): no space before the value") }
        let text = rest.dropFirst()
        let value: Double? =
            switch text {
            case "NaN": .nan
            case "+Inf": .infinity
            case "-Inf": -.infinity
            default: Double(text)
            }
        guard let value, !text.contains(" ") else { throw Problem(description: "\(where_): bad value '\(text)'") }
        return Sample(name: name, labels: labels, value: value)
    }
}
