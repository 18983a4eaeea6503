/// Builds and reads the comments chainbot puts on its nftables rules: `chainbot:KIND/NAME[:PART] [TEXT]`.
public enum NftComment {
    /// nft refuses comments longer than this many bytes (`NFTNL_UDATA_COMMENT_MAXLEN`).
    public static let maximumBytes = 128
    static let prefix = "chainbot:"

    /// The comment for a rule owned by `owner` (`FirewallRule/gui-http`), with the user's text after the tag.
    ///
    /// nft's scanner has no escapes inside quoted strings, so `"` becomes `'`, control characters become
    /// spaces, and the result is cut to `maximumBytes` on a character boundary.
    public static func make(owner: String, text: String? = nil) -> String {
        var comment = prefix + owner
        if let text, !text.isEmpty { comment += " " + text }
        var out = ""
        var bytes = 0
        for scalar in comment.unicodeScalars {
            let clean: Unicode.Scalar =
                switch scalar {
                case "\"": "'"
                case _ where scalar.value < 0x20 || scalar.value == 0x7f: " "
                default: scalar
                }
            let size = String(clean).utf8.count
            guard bytes + size <= maximumBytes else { break }
            out.unicodeScalars.append(clean)
            bytes += size
        }
        return out
    }

    /// The owner named by a chainbot tag (`Port/chainbot-api`, `Firewall/pi:loopback`), or nil for other comments.
    public static func owner(_ comment: String) -> String? {
        guard comment.hasPrefix(prefix) else { return nil }
        let tag = comment.dropFirst(prefix.count).prefix { $0 != " " }
        return tag.isEmpty ? nil : String(tag)
    }
}
