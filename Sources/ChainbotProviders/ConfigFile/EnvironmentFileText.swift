import ChainbotCore

/// Renders `KEY=value` lines that systemd's `EnvironmentFile=` parser (env-file.c, systemd.exec(5)) and
/// a POSIX shell's `.` both read back as exactly the given values.
///
/// - A value made only of letters, digits and `_ - . / : , @ % + =` is written bare: `PORT=5000`.
/// - Anything else (whitespace, quotes, `#`, `\`, `$`, `` ` ``, `;`, other punctuation, non-ASCII, a
///   newline) is written in double quotes with `\"`, `\\`, `` \` `` and `\$` escaped. Those four are
///   the escapes systemd undoes inside double quotes; for any other `\x` it keeps the backslash, so
///   `\n` would mean a backslash and an `n`. A newline is therefore written as a real line break
///   inside the quotes, which systemd keeps verbatim (and so does the shell).
/// - systemd drops values with control characters other than tab and newline, and names that are
///   not `[A-Za-z_][A-Za-z0-9_]*`; such entries are refused here rather than silently lost there.
///
/// Errors name the key, never the value: values may be secrets.
enum EnvironmentFileText {
    /// The file's text: one assignment per entry, sorted by key, each line ending in a newline.
    static func render(_ entries: [(key: String, value: String)]) throws(ProviderError) -> String {
        let sorted = entries.sorted { $0.key < $1.key }
        var text = ""
        var previous: String?
        for entry in sorted {
            if entry.key == previous { throw ProviderError("env key '\(entry.key)' is given twice") }
            previous = entry.key
            text += try line(key: entry.key, value: entry.value)
        }
        return text
    }

    /// One `KEY=value\n` line (which spans several lines when the value holds newlines).
    static func line(key: String, value: String) throws(ProviderError) -> String {
        guard isValidName(key) else {
            throw ProviderError(
                "env key '\(key)' is not a valid variable name (letters, digits and '_', not starting with a digit)")
        }
        if value.unicodeScalars.contains(where: isRefusedControl) {
            throw ProviderError(
                "env value of '\(key)' contains a control character other than tab or newline, which systemd "
                    + "does not accept")
        }
        return needsQuoting(value) ? "\(key)=\(quoted(value))\n" : "\(key)=\(value)\n"
    }

    /// True when `value` has a character outside the bare-safe set.
    static func needsQuoting(_ value: String) -> Bool {
        value.utf8.contains { !isBareSafe($0) }
    }

    /// `value` in double quotes with `"`, `\`, `` ` `` and `$` escaped by a backslash.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar == "`" || scalar == "$" { result += "\\" }
            result.unicodeScalars.append(scalar)
        }
        return result + "\""
    }

    private static func isBareSafe(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || "_-./:,@%+=".utf8.contains(byte)
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || isDigit(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// systemd's `env_value_is_valid`: no control characters except tab and newline (DEL included).
    private static func isRefusedControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7f
    }

    /// systemd's `env_name_is_valid`: `[A-Za-z_][A-Za-z0-9_]*`.
    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first) else { return false }
        return name.utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "_") }
    }
}
