import ChainbotCore

/// The facets of a ConfigFile — `content`, `mode`, `owner`, `group` — computed the same way for the
/// desired and the observed side, so equal files give equal facets.
///
/// `content` is `.text` for UTF-8 bytes, `.secret(digest:)` when the spec puts a secret into the file
/// (the digest covers the whole file), and `.word("sha256:…")` for bytes that are not UTF-8 (shown as a
/// digest rather than as mangled text). Digests are `sha256:` and the first 12 hex digits.
enum ConfigFileFacets {
    static let content = "content"
    static let mode = "mode"
    static let owner = "owner"
    static let group = "group"
    /// Every facet name this provider reports, in display order.
    static let names = [content, mode, owner, group]

    /// The desired facets: `owner` and `group` only when the spec sets them (others' ownership is not drift).
    static func desired(_ rendered: RenderedFile) -> [Facet] {
        var facets = [
            Facet(content, contentValue(rendered.bytes, secret: rendered.holdsSecret)),
            Facet(mode, .word(modeText(rendered.spec.mode))),
        ]
        if let name = rendered.spec.owner { facets.append(Facet(owner, .word(name))) }
        if let name = rendered.spec.group { facets.append(Facet(group, .word(name))) }
        return facets
    }

    /// The observed facets of a file with the given `content` facet; owner and group fall back to the
    /// numeric id when the host has no name for it.
    static func observed(_ info: FileInfo, content contentValue: FacetValue) -> [String: FacetValue] {
        [
            content: contentValue,
            mode: .word(modeText(info.mode)),
            owner: .word(info.owner ?? String(info.uid)),
            group: .word(info.group ?? String(info.gid)),
        ]
    }

    /// Every facet absent: no file at the path.
    static var absent: [String: FacetValue] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, FacetValue.absent) })
    }

    /// The `content` facet of `bytes`; `secret` when the spec renders a secret into the file.
    static func contentValue(_ bytes: [UInt8], secret: Bool) -> FacetValue {
        if secret { return .secret(digest: digest(of: bytes)) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .word(digest(of: bytes)) }
        return .text(text)
    }

    /// `sha256:` and the first 12 hex digits of the SHA-256 of `bytes`.
    static func digest(of bytes: [UInt8]) -> String {
        "sha256:" + String(SHA256.hex(SHA256.hash(bytes)).prefix(12))
    }

    /// Permission bits as four octal digits: `0640`, `4755`.
    static func modeText(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// True when rendering `spec` puts a secret value into the file (an env entry with a `secretRef`).
    static func holdsSecret(_ spec: ConfigFileSpec) -> Bool {
        guard case .env(let entries) = spec.content else { return false }
        return entries.contains {
            if case .secret = $0.value { true } else { false }
        }
    }
}
