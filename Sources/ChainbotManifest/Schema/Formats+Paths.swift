import ChainbotCore

/// Paths, addresses, URLs, references and commands.
extension Formats {
    static func absolutePath(_ text: String) -> String? {
        if !text.hasPrefix("/") { return "not an absolute path" }
        if text.contains("\0") { return "contains a NUL byte" }
        if text.hasSuffix("/..") || text.contains("/../") { return "contains '..'" }
        return nil
    }

    /// Why `text` cannot be one `KEY=value` line of a unit file or `config.txt` (what the renderers
    /// refuse), or nil.
    static func unitLine(_ text: String) -> String? {
        if text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            return "contains a line break; the value is written on one line"
        }
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f }) {
            return "contains a control character, which a one-line value cannot hold"
        }
        if text.hasSuffix("\\") { return "ends in a backslash, which would continue the line onto the next" }
        return nil
    }

    static func unitPath(_ text: String) -> String? {
        if let problem = absolutePath(text) { return problem }
        if let problem = unitLine(text) { return problem }
        if text.contains(where: { $0 == "\"" || $0 == "'" || $0 == "\\" }) {
            return "contains a quote or backslash, which a unit file would not read back as written"
        }
        return nil
    }

    static func writablePath(_ text: String) -> String? {
        if let problem = absolutePath(text) { return problem }
        // Judge the path the kernel will resolve: `/./dev/sda` and `//dev/sda` are /dev/sda.
        let components = normalizedComponents(text)
        if components.isEmpty { return "the root directory cannot be managed as a file" }
        if ["proc", "sys", "dev"].contains(components[0]) {
            return "under /\(components[0]), which chainbot never writes"
        }
        if text.hasSuffix("/") || text.hasSuffix("/.") { return "names a directory, not a file" }
        return nil
    }

    /// The components of an absolute path without empty ones (`//`) and `.`; `..` is refused before.
    static func normalizedComponents(_ text: String) -> [String] {
        text.split(separator: "/").filter { $0 != "." }.map(String.init)
    }

    /// An absolute path in its one spelling: `/etc//chainbot/./x.conf` is `/etc/chainbot/x.conf`.
    static func normalizedPath(_ text: String) -> String {
        "/" + normalizedComponents(text).joined(separator: "/")
    }

    static func cidr(_ text: String) -> String? {
        guard let network = CIDR(text) else { return "not an IP network like 10.0.0.0/24 or fd00::/8" }
        if !network.isNetworkAddress {
            return "has host bits set beyond the /\(network.prefixLength) prefix"
        }
        return nil
    }

    static func endpoint(_ text: String) -> String? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return "not host:port" }
            port = rest.dropFirst()
            if IPAddress(host) == nil { return "has an invalid IPv6 address" }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return "not host:port" }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if IPAddress(host) == nil, hostname(String(host)) != nil { return "has an invalid host" }
        }
        guard let number = Int(port), (1...65535).contains(number) else {
            return "has an invalid port (1–65535)"
        }
        return nil
    }

    static func url(_ text: String) -> String? {
        let rest: Substring
        if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else if text.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else {
            return "not an http:// or https:// URL"
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.isEmpty || authority.contains("@") || text.contains(where: { $0.isWhitespace }) {
            return "not a valid URL"
        }
        if endpoint(String(authority)) != nil, IPAddress(authority.trimmingBrackets) == nil,
            hostname(String(authority)) != nil
        {
            return "has an invalid host or port"
        }
        return nil
    }

    static func glob(_ text: String) -> String? { HostGlob.problem(text) }

    static func reference(_ text: String, kinds: [Kind]) -> String? {
        guard let slash = text.firstIndex(of: "/") else {
            return "not a reference like \(kinds.first?.rawValue ?? "Kind")/NAME"
        }
        let kindText = String(text[..<slash])
        guard let kind = Kind(rawValue: kindText) else {
            let hint = Suggestion.closest(to: kindText, in: Kind.allCases.map(\.rawValue)).map {
                "; did you mean '\($0)'?"
            }
            return "'\(kindText)' is not a resource kind" + (hint ?? "")
        }
        if !kinds.contains(kind) {
            return "must refer to " + kinds.map { "a \($0.rawValue)" }.joined(separator: " or ")
        }
        return dnsLabel(String(text[text.index(after: slash)...]))
    }

    static func command(_ text: String) -> String? {
        if let problem = unitLine(text) { return problem }
        let trimmed = text.drop { "@-:+!|".contains($0) }
        guard let first = trimmed.split(separator: " ").first else { return "must not be empty" }
        if !first.hasPrefix("/") {
            return "the program '\(first)' must be an absolute path"
        }
        return nil
    }
}

extension Substring {
    fileprivate var trimmingBrackets: Substring {
        hasPrefix("[") && hasSuffix("]") ? dropFirst().dropLast() : self
    }
}
