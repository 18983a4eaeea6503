import ChainbotCore

/// Checks of string formats; each returns nil when the text is acceptable, else why not.
enum Formats {
    static let unitSuffixes = [
        ".service", ".socket", ".target", ".timer", ".mount", ".automount", ".path", ".slice", ".scope",
        ".device", ".swap",
    ]

    /// The diagnostic code a failed check of `format` reports.
    static func code(for format: StringFormat) -> DiagnosticCode {
        switch format {
        case .text, .nonEmpty: .typeMismatch
        case .line: .unwritableValue
        case .name, .dropInName: .invalidName
        case .unitName: .invalidUnitName
        case .absolutePath, .unitPath, .writablePath, .sourceFile: .invalidPath
        case .cidr: .invalidCIDR
        case .address, .endpoint: .invalidAddress
        case .url, .urlOrPath: .invalidURL
        case .account, .envName, .labelKey, .labelValue, .bootKey, .bootSection: .invalidIdentifier
        case .interface: .invalidInterface
        case .hostname: .invalidHostname
        case .glob: .invalidPattern
        case .reference: .invalidReference
        case .command: .invalidPath
        }
    }

    static func check(_ text: String, as format: StringFormat) -> String? {
        switch format {
        case .text: nil
        case .nonEmpty: text.isEmpty ? "must not be empty" : nil
        case .line: unitLine(text)
        case .name: dnsLabel(text)
        case .dropInName: dropInName(text)
        case .unitName(let suffixes): unitName(text, suffixes: suffixes)
        case .absolutePath: absolutePath(text)
        case .unitPath: unitPath(text)
        case .writablePath: writablePath(text)
        case .sourceFile: text.isEmpty ? "must not be empty" : (text.contains("\0") ? "contains a NUL byte" : nil)
        case .cidr: cidr(text)
        case .address: IPAddress(text) == nil ? "not an IPv4 or IPv6 address" : nil
        case .endpoint: endpoint(text)
        case .url: url(text)
        case .urlOrPath: text.hasPrefix("/") ? absolutePath(text) : url(text)
        case .account: account(text)
        case .envName: envName(text)
        case .labelKey: labelKey(text)
        case .labelValue: labelValue(text)
        case .interface: interface(text)
        case .hostname: hostname(text)
        case .glob: glob(text)
        case .reference(let kinds): reference(text, kinds: kinds)
        case .command: command(text)
        case .bootKey: matches(text, first: "a-zA-Z0-9_", rest: "a-zA-Z0-9_:", max: 64) ? nil : "not a config.txt key"
        case .bootSection:
            matches(text, first: "a-zA-Z0-9", rest: "a-zA-Z0-9_:=+.-", max: 64)
                ? nil : "not a config.txt section filter"
        }
    }

    // MARK: - Names

    static func dnsLabel(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty" }
        if text.utf8.count > 63 { return "longer than 63 characters" }
        let ok =
            text.utf8.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
            && isLowerAlnum(text.utf8.first ?? 0) && isLowerAlnum(text.utf8.last ?? 0)
        return ok ? nil : "not a DNS-1123 name (lowercase letters, digits and '-', starting and ending alphanumeric)"
    }

    static func dropInName(_ text: String) -> String? {
        matches(text, first: "a-zA-Z0-9", rest: "a-zA-Z0-9_.-", max: 64)
            ? nil : "not a drop-in name (letters, digits, '-', '_', '.')"
    }

    static func unitName(_ text: String, suffixes: [String]?) -> String? {
        guard let dot = text.lastIndex(of: ".") else {
            return "has no unit type suffix such as .service"
        }
        let suffix = String(text[dot...])
        let allowed = suffixes ?? unitSuffixes
        guard allowed.contains(suffix) else {
            return "must end in " + allowed.joined(separator: " or ")
        }
        let stem = text[..<dot]
        if stem.isEmpty || text.utf8.count > 255 { return "not a valid unit name" }
        if stem.hasPrefix("-") || stem.hasPrefix(".") { return "must not start with '-' or '.'" }
        let ok = stem.utf8.allSatisfy { byte in
            isAlnum(byte) || ":-_.\\@".utf8.contains(byte)
        }
        if !ok { return "contains characters systemd does not allow in unit names" }
        if stem.filter({ $0 == "@" }).count > 1 || stem.hasPrefix("@") { return "has a malformed template '@'" }
        return nil
    }

    static func account(_ text: String) -> String? {
        matches(text, first: "a-z_", rest: "a-z0-9_-", max: 32)
            ? nil : "not a valid user or group name"
    }

    static func envName(_ text: String) -> String? {
        matches(text, first: "A-Za-z_", rest: "A-Za-z0-9_", max: 128)
            ? nil : "not a valid environment variable name"
    }

    static func labelValue(_ text: String) -> String? {
        guard !text.isEmpty else { return "must not be empty" }
        return matches(text, first: "A-Za-z0-9", rest: "A-Za-z0-9_.-", max: 63) && isAlnum(text.utf8.last ?? 0)
            ? nil : "not a valid label value (at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends)"
    }

    static func labelKey(_ text: String) -> String? {
        var name = Substring(text)
        if let slash = text.lastIndex(of: "/") {
            let prefix = String(text[..<slash])
            name = text[text.index(after: slash)...]
            if prefix.isEmpty || prefix.utf8.count > 253 || hostname(prefix) != nil {
                return "has an invalid prefix '\(prefix)'"
            }
        }
        return matches(String(name), first: "A-Za-z0-9", rest: "A-Za-z0-9_.-", max: 63)
            && isAlnum(name.utf8.last ?? 0) ? nil : "not a valid label key"
    }

    static func interface(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty" }
        if text.utf8.count > 15 { return "longer than 15 characters (the kernel's IFNAMSIZ limit)" }
        if text == "." || text == ".." || text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            return "may not contain '/', ':' or whitespace"
        }
        return nil
    }

    static func hostname(_ text: String) -> String? {
        if text.isEmpty || text.utf8.count > 253 { return "not 1–253 characters" }
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }),
                bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
            else { return "not a valid hostname" }
        }
        return nil
    }

    // MARK: - Character classes

    static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// True when `text` is 1…`max` bytes, its first byte in `first` and the rest in `rest`.
    static func matches(_ text: String, first: ByteSet, rest: ByteSet, max: Int) -> Bool {
        var iterator = text.utf8.makeIterator()
        guard let head = iterator.next(), first.contains(head) else { return false }
        var count = 1
        while let byte = iterator.next() {
            count += 1
            guard count <= max, rest.contains(byte) else { return false }
        }
        return true
    }
}
