import ChainbotCore

/// Output of ufw that chainbot cannot read.
public struct UfwParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being read, e.g. `ufw show added`.
    public var source: String
    /// 1-based line number, or 0 when the whole text is at fault.
    public var line: Int
    public var message: String

    public var description: String { line == 0 ? "\(source): \(message)" : "\(source):\(line): \(message)" }
}

/// Reads the text of `ufw status verbose`, `ufw show added` and `/etc/default/ufw` (ufw 0.36, `LC_ALL=C`).
public enum UfwOutputParser {
    /// Whether ufw is active and, when it is, its default incoming policy, from `ufw status verbose`.
    public static func status(_ text: String) throws(UfwParseError) -> (active: Bool, policy: UfwPolicy?) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { $0.hasPrefix("Status: ") }) else {
            throw UfwParseError(source: "ufw status verbose", line: 0, message: "no 'Status:' line")
        }
        let state = lines[first].dropFirst("Status: ".count)
        guard state == "active" || state == "inactive" else {
            throw UfwParseError(source: "ufw status verbose", line: first + 1, message: "unknown status '\(state)'")
        }
        guard state == "active" else { return (false, nil) }
        // `Default: deny (incoming), allow (outgoing), disabled (routed)`
        guard let index = lines.firstIndex(where: { $0.hasPrefix("Default: ") }) else {
            throw UfwParseError(source: "ufw status verbose", line: 0, message: "no 'Default:' line")
        }
        for part in lines[index].dropFirst("Default: ".count).split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 2, words[1] == "(incoming)" {
                guard let policy = UfwPolicy(rawValue: String(words[0])) else { break }
                return (true, policy)
            }
        }
        throw UfwParseError(
            source: "ufw status verbose", line: index + 1, message: "no incoming policy in '\(lines[index])'")
    }

    /// `DEFAULT_INPUT_POLICY` of `/etc/default/ufw` (`DROP`, `ACCEPT`, `REJECT`, quoted or not).
    public static func defaultInputPolicy(_ text: String) throws(UfwParseError) -> UfwPolicy {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix("DEFAULT_INPUT_POLICY=") {
            let value = line.dropFirst("DEFAULT_INPUT_POLICY=".count).filter { $0 != "\"" }
            switch value {
            case "DROP": return .deny
            case "ACCEPT": return .allow
            case "REJECT": return .reject
            default:
                throw UfwParseError(
                    source: "/etc/default/ufw", line: number + 1, message: "unknown DEFAULT_INPUT_POLICY '\(value)'")
            }
        }
        throw UfwParseError(source: "/etc/default/ufw", line: 0, message: "no DEFAULT_INPUT_POLICY line")
    }

    /// The rules of `ufw show added`, in its order.
    public static func showAdded(_ text: String) throws(UfwParseError) -> [UfwObservedRule] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("Added user rules") }) else {
            throw UfwParseError(source: "ufw show added", line: 0, message: "no 'Added user rules' header")
        }
        var rules: [UfwObservedRule] = []
        for number in lines.indices.dropFirst(header + 1) {
            let line = lines[number]
            if line.isEmpty || line == "(None)" { continue }
            guard line.hasPrefix("ufw "), let words = Self.words(line.dropFirst(4)) else {
                throw UfwParseError(source: "ufw show added", line: number + 1, message: "cannot read '\(line)'")
            }
            rules.append(UfwObservedRule(words: words, rule: rule(words)))
        }
        return rules
    }

    /// Splits a command line as ufw prints it: words between spaces, `'…'` one word without its quotes.
    static func words(_ text: Substring) -> [String]? {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            switch character {
            case "'":
                quoted.toggle()
                started = true
            case " " where !quoted:
                if started { words.append(current) }
                current = ""
                started = false
            default:
                current.append(character)
                started = true
            }
        }
        guard !quoted else { return nil }
        if started { words.append(current) }
        return words
    }

    /// The rule in chainbot's model, or nil for a shape chainbot does not render.
    static func rule(_ allWords: [String]) -> UfwRule? {
        guard let actionWord = allWords.first, let action = UfwRule.Action(rawValue: actionWord) else { return nil }
        var words = Array(allWords.dropFirst())
        var comment: String?
        if let index = words.lastIndex(of: "comment"), index + 2 == words.count {
            comment = words[index + 1]
            words.removeLast(2)
        }
        // Short syntax: `allow 9000/tcp`, `allow 53`.
        if words.count == 1 {
            let parts = words[0].split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let ports = ports(parts[0]) else { return nil }
            return UfwRule(
                action, networkProtocol: parts.count == 2 ? String(parts[1]) : nil, ports: ports, comment: comment)
        }
        var rule = UfwRule(action, comment: comment)
        var ports: [PortRange] = []
        var from: CIDR?
        var index = 0
        func next() -> String? {
            index += 1
            return index < words.count ? words[index] : nil
        }
        while index < words.count {
            switch words[index] {
            case "in":
                if index + 1 < words.count, words[index + 1] == "on" {
                    index += 1
                    guard let name = next() else { return nil }
                    rule.interface = name
                }
            case "from":
                guard let address = next() else { return nil }
                if address != "any" {
                    guard let network = CIDR(address) else { return nil }
                    from = network
                }
            case "to":
                guard next() == "any" else { return nil }
                if index + 1 < words.count, words[index + 1] == "port" {
                    index += 1
                    guard let text = next(), let parsed = Self.ports(Substring(text)) else { return nil }
                    ports = parsed
                }
            case "proto":
                guard let name = next() else { return nil }
                rule.networkProtocol = name
            default:
                return nil  // out, on (outgoing), log, log-all, app, source ports
            }
            index += 1
        }
        return UfwRule(
            action, networkProtocol: rule.networkProtocol, ports: ports, from: from, interface: rule.interface,
            comment: comment)
    }

    /// `80,8000:8100` as ranges; nil unless every part is a port or a range of ports.
    private static func ports(_ text: Substring) -> [PortRange]? {
        var out: [PortRange] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count <= 2, bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
                let lower = Int(bounds[0]), let upper = Int(bounds[bounds.count - 1])
            else { return nil }
            out.append(PortRange(lower, upper))
        }
        return out.isEmpty ? nil : out
    }
}
