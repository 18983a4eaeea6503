import ChainbotCore

/// How values are written into unit files so systemd reads back exactly the manifest's text
/// (`systemd.syntax(7)` quoting, `systemd.unit(5)` specifiers, `systemd.exec(5)` `Environment=`).
enum UnitEscaping {
    /// The value with every `%` doubled, so systemd does not expand it as a specifier (`%h`, `%i`).
    static func specifiers(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar == "%" { out += "%%" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// One double-quoted word: `\` and `"` backslash-escaped, control characters as C escapes (`\n`,
    /// `\t`, `\x01`), `%` doubled. `$` stays as it is: `Environment=` does no variable expansion.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "%": out += "%%"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Throws unless `value` fits on one unit-file line as it is: no line breaks or other control
    /// characters (tab allowed), and no final `\`, which would join the next line to this one.
    static func checkOneLine(_ value: String, setting: String, of id: ResourceID) throws(ProviderError) {
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f }) {
            throw ProviderError(
                "\(id): \(setting)= contains a line break or control character, which a unit file cannot hold")
        }
        if value.hasSuffix("\\") {
            throw ProviderError("\(id): \(setting)= ends in a backslash, which would continue onto the next line")
        }
    }

    /// A path as one word of a space-separated list (`ReadWritePaths=`): double-quoted when it holds
    /// whitespace; a path with quotes or backslashes is refused rather than guessed at.
    static func pathWord(_ path: String, setting: String, of id: ResourceID) throws(ProviderError) -> String {
        try checkOneLine(path, setting: setting, of: id)
        if path.contains(where: { $0 == "\"" || $0 == "'" || $0 == "\\" }) {
            throw ProviderError("\(id): \(setting)= path '\(path)' contains a quote or backslash")
        }
        let escaped = specifiers(path)
        return path.contains(where: { $0 == " " || $0 == "\t" }) ? "\"\(escaped)\"" : escaped
    }
}
