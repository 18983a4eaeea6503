import ChainbotManifest

/// The agent endpoint's bearer token file (`--token-file`): one line of at least 16 characters with no
/// whitespace inside, optionally ending in one newline. Only a regular file of at most 4 KiB is read, so
/// `--token-file /dev/zero` or a FIFO fails at once instead of growing memory or hanging.
enum TokenFile {
    static let maxBytes = 4096
    static let minimumLength = 16

    /// What is wrong with a token file, in words that name it; `unreadable` when the file could not be read
    /// at all (exit 2), otherwise it is a bad file (exit 64).
    struct Problem: Error, Equatable {
        var message: String
        var unreadable = false
    }

    /// The token in `path`, or the message that says what is wrong with the file (naming it).
    static func read(_ path: String) -> Result<String, Problem> {
        let bytes: [UInt8]
        switch RegularFile.read(path, maxBytes: maxBytes) {
        case .success(let read): bytes = read
        case .failure(.system(let code)):
            return .failure(
                Problem(message: "cannot read the token file \(path): \(RegularFile.describe(code))", unreadable: true))
        case .failure(.notRegular(let type)):
            return .failure(Problem(message: "the token file \(path) is \(type), not a regular file"))
        case .failure(.tooLarge):
            return .failure(Problem(message: "the token file \(path) is larger than \(maxBytes) bytes"))
        }
        return token(in: bytes, path: path)
    }

    /// The token in a token file's bytes: one trailing `\n` (or `\r\n`) is dropped, any other whitespace or
    /// control character is an error rather than silently removed.
    static func token(in bytes: [UInt8], path: String) -> Result<String, Problem> {
        var body = bytes[...]
        if body.last == 0x0a {
            body = body.dropLast()
            if body.last == 0x0d { body = body.dropLast() }
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            return .failure(Problem(message: "the token file \(path) is not UTF-8 text"))
        }
        if let bad = text.unicodeScalars.first(where: {
            $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f
        }) {
            let what = bad == "\n" ? "a line break" : bad.properties.isWhitespace ? "whitespace" : "a control character"
            return .failure(
                Problem(
                    message:
                        "the token file \(path) has \(what) inside the token; write the token alone on one line"))
        }
        guard text.count >= minimumLength else {
            return .failure(
                Problem(message: "the token in \(path) is shorter than \(minimumLength) characters"))
        }
        return .success(text)
    }
}
