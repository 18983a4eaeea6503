/// Builds the comments chainbot puts on its UFW rules: the same `chainbot:KIND/NAME[:PART] [TEXT]` tag as
/// `NftComment`, cleaned for ufw.
public enum UfwComment {
    /// The longest comment chainbot writes, in bytes (the nftables limit, so both backends carry the same text).
    public static let maximumBytes = NftComment.maximumBytes

    /// The comment for a rule owned by `owner` (`FirewallRule/gui-http`), with the user's text after the tag.
    ///
    /// ufw refuses `'` in a comment ("Invalid syntax") and prints comments between single quotes, so `'`
    /// becomes `"`; control characters become spaces and characters outside ASCII become `?` (ufw's output
    /// encoding follows the locale); the result is cut to `maximumBytes`.
    public static func make(owner: String, text: String? = nil) -> String {
        var comment = NftComment.prefix + owner
        if let text, !text.isEmpty { comment += " " + text }
        var out = ""
        for scalar in comment.unicodeScalars.prefix(maximumBytes) {
            let clean: Unicode.Scalar =
                switch scalar {
                case "'": "\""
                case _ where scalar.value < 0x20 || scalar.value == 0x7f: " "
                case _ where scalar.value > 0x7f: "?"
                default: scalar
                }
            out.unicodeScalars.append(clean)
        }
        return out
    }
}
