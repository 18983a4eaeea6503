public import ChainbotCore

/// Reads the values of `secretRef`s at apply time (DESIGN.md §4).
///
/// A secret file is read through the filesystem of the host being configured: the live host, or under
/// `--root IMG` the image, where the Pi's own agent will read it later (so an image prepared offline
/// holds what the agent renders after its first boot). Errors say where the file was looked for. Without a key the value is the whole
/// file, less one trailing newline (`\n` or `\r\n`); with a key it is the text after `KEY=` on the last
/// line starting with `KEY=` (a later line wins, as in an `EnvironmentFile`), taken verbatim: no quotes
/// are removed and no escapes undone.
///
/// Errors name the secret file and key, never the value or any line of the file.
public struct SecretReader: Sendable {
    private let fileSystem: any HostFileSystem
    /// The image root secrets are read under, for messages; nil on the live host.
    private let root: String?

    /// Makes a reader that finds secret files through `fileSystem`, which resolves them under `root`
    /// (`--root IMG`; nil on the live host).
    public init(fileSystem: some HostFileSystem, root: String? = nil) {
        self.fileSystem = fileSystem
        self.root = root
    }

    /// The secret's value, as UTF-8 text.
    public func value(of secret: SecretRef) throws(ProviderError) -> String {
        let bytes: [UInt8]?
        do throws(ProviderError) {
            bytes = try fileSystem.read(secret.file)
        } catch {
            throw ProviderError(
                "cannot read secret file '\(secret.file)'\(Self.keyNote(secret))\(lookedIn(secret)): \(error.message)",
                retryable: error.retryable)
        }
        guard let bytes else {
            throw ProviderError("secret file '\(secret.file)' not found\(Self.keyNote(secret))\(lookedIn(secret))")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ProviderError("secret file '\(secret.file)'\(Self.keyNote(secret)) is not UTF-8 text")
        }
        guard let key = secret.key else { return String(decoding: Self.droppingOneNewline(bytes), as: UTF8.self) }
        // Bytes, not Characters: "\r\n" is one Character and would not split at "\n".
        let prefix = Array((key + "=").utf8)
        var found: ArraySlice<UInt8>?
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if line.starts(with: prefix) { found = line.dropFirst(prefix.count) }
        }
        guard let found else { throw ProviderError("secret file '\(secret.file)' has no key '\(key)'") }
        return String(decoding: found, as: UTF8.self)
    }

    /// ` (looked in IMG/etc/…: under --root secrets are read from the image)`, or nothing on the live host.
    private func lookedIn(_ secret: SecretRef) -> String {
        guard let root, root != "/" else { return "" }
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return " (looked in \(base)\(secret.file): under --root, secrets are read from the image)"
    }

    /// ` (key 'K')` when the reference names a key, else nothing.
    private static func keyNote(_ secret: SecretRef) -> String {
        secret.key.map { " (key '\($0)')" } ?? ""
    }

    private static func droppingOneNewline(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard bytes.last == UInt8(ascii: "\n") else { return bytes[...] }
        let withoutLineFeed = bytes.dropLast()
        return withoutLineFeed.last == UInt8(ascii: "\r") ? withoutLineFeed.dropLast() : withoutLineFeed
    }
}
