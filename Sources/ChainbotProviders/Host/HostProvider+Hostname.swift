import ChainbotCore

extension HostProvider {
    /// Refuses a host name the kernel or `/etc/hosts` would not take, before any path or argv is built:
    /// 1–64 bytes (the kernel's `HOST_NAME_MAX`), dot-separated labels of 1–63 ASCII letters, digits and
    /// hyphens, none starting or ending with a hyphen (so it can never read as an option either).
    static func validateHostname(_ name: String) throws(ProviderError) {
        if let problem = hostnameProblem(name) {
            throw ProviderError("invalid hostname '\(name)': \(problem)")
        }
    }

    /// What is wrong with `name` as a host name, or nil.
    static func hostnameProblem(_ name: String) -> String? {
        if name.isEmpty || name.utf8.count > 64 { return "must be 1–64 characters (the kernel's limit)" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            let allowed = bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-")
            }
            guard (1...63).contains(bytes.count), allowed, bytes.first != UInt8(ascii: "-"),
                bytes.last != UInt8(ascii: "-")
            else { return "use labels of letters, digits and '-', separated by dots, not starting or ending with '-'" }
        }
        return nil
    }
}

/// The `127.0.1.1` line of `/etc/hosts`, which Debian and Raspberry Pi OS point at the machine's own name
/// (so that `hostname --fqdn` and `sudo` resolve it without DNS).
enum EtcHosts {
    static let address = "127.0.1.1"

    /// The names on the first `127.0.1.1` line: `.word(name)` when `name` is among them, else the names
    /// found, or absent without such a line.
    static func observed(_ bytes: [UInt8]?, wanting name: String) -> FacetValue {
        guard let bytes else { return .absent }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let line = lines.first(where: { parse($0)?.address == address }), let entry = parse(line) else {
            return .absent
        }
        if entry.names.contains(name) { return .word(name) }
        return entry.names.isEmpty ? .absent : .word(entry.names.joined(separator: " "))
    }

    /// `/etc/hosts` with its `127.0.1.1` line naming `name`, every other line kept as it is.
    ///
    /// As Debian's tools and `raspi-config` do: on that line, `previous` becomes `name` and
    /// `previous.domain` becomes `name.domain`; a line naming neither becomes `127.0.1.1<TAB>name` (a
    /// comment on it is kept). Without such a line one is added after the last `127.0.0.1` line (at the
    /// top when there is none); without a file, one with `localhost` and that line is made.
    static func edited(_ bytes: [UInt8]?, hostname name: String, previous: String?) -> [UInt8] {
        guard let bytes else { return Array("127.0.0.1\tlocalhost\n\(address)\t\(name)\n".utf8) }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if let index = lines.firstIndex(where: { parse($0)?.address == address }), let entry = parse(lines[index]) {
            var names = entry.names.map { alias -> String in
                guard let previous, !previous.isEmpty else { return alias }
                if alias == previous { return name }
                if alias.hasPrefix(previous + ".") { return name + alias.dropFirst(previous.count) }
                return alias
            }
            if !names.contains(name) { names = [name] }
            let comment = entry.comment.isEmpty ? "" : " " + entry.comment
            lines[index] = "\(address)\t" + names.joined(separator: " ") + comment + (entry.carriageReturn ? "\r" : "")
        } else {
            let loopback = lines.lastIndex(where: { parse($0)?.address == "127.0.0.1" })
            let carriageReturn = lines.first?.hasSuffix("\r") == true ? "\r" : ""
            let line = "\(address)\t\(name)" + carriageReturn
            if let loopback {
                lines.insert(line, at: loopback + 1)
            } else if lines.count == 1 && lines[0].isEmpty {
                lines = [line, ""]
            } else {
                lines.insert(line, at: 0)
            }
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// One hosts line split into address, names and a trailing `#` comment; nil for blank and comment lines.
    static func parse(_ line: some StringProtocol) -> (
        address: String, names: [String], comment: String, carriageReturn: Bool
    )? {
        var text = Substring(line)
        let carriageReturn = text.hasSuffix("\r")
        if carriageReturn { text = text.dropLast() }
        var comment = ""
        if let hash = text.firstIndex(of: "#") {
            comment = String(text[hash...])
            text = text[..<hash]
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = fields.first else { return nil }
        return (first, Array(fields.dropFirst()), comment, carriageReturn)
    }
}
