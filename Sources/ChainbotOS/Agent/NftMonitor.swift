public import ChainbotCore

/// Streams `nft monitor` as a child and reports the table (`inet chainbot`) each change of the ruleset
/// touched: a table, chain, set, element, map or rule added, deleted or flushed, by anyone (a hand-typed
/// `nft flush table inet chainbot`, another firewall tool, chainbot's own load). `onLost` says why the
/// stream ended (nft missing, killed, the netlink socket gone); the caller starts a new one.
public final class NftMonitor: Sendable {
    private let child: StreamedChild

    /// Starts `argv` (`nft monitor`; a test runs it inside a network namespace of its own).
    public init(
        argv: [String] = ["nft", "monitor"], onChange: @escaping @Sendable (_ table: String) -> Void,
        onLost: @escaping @Sendable (_ why: String) -> Void
    ) throws(CommandError) {
        child = try StreamedChild(
            CommandInvocation(argv.first ?? "nft", Array(argv.dropFirst())),
            onLine: { line in if let table = Self.table(in: line) { onChange(table) } }, onExit: onLost)
    }

    /// Stops the child.
    public func stop() { child.stop() }

    /// The `FAMILY NAME` of the table a line of `nft monitor`'s text output changed, or nil for a comment
    /// (`# new generation 7 by process 42 (nft)`) or a line it cannot read:
    /// `add rule inet chainbot input tcp dport 22 accept` → `inet chainbot`.
    public static func table(in line: String) -> String? {
        let words = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true)
        guard words.count >= 4, !words[0].hasPrefix("#"), verbs.contains(String(words[0])) else { return nil }
        // `add table inet chainbot`, `delete rule inet chainbot input handle 4`, `add element inet t s { … }`.
        guard objects.contains(String(words[1])) else { return nil }
        let name = words[3].hasSuffix("{") ? words[3].dropLast() : words[3]
        guard !name.isEmpty else { return nil }
        return "\(words[2]) \(name)"
    }

    static let verbs: Set<String> = ["add", "delete", "flush", "replace", "insert", "destroy", "reset", "update"]
    static let objects: Set<String> = [
        "table", "chain", "rule", "set", "element", "map", "flowtable", "counter", "quota", "limit", "ct",
        "secmark", "synproxy",
    ]
}
