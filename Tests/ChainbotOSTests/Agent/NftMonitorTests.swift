import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// `nft monitor` streamed as a child: which table each line changed, and the real thing in a namespace.
@Suite struct NftMonitorTests {
    @Test(arguments: [
        ("add table inet chainbot", "inet chainbot"),
        ("delete rule inet chainbot input handle 2", "inet chainbot"),
        ("add rule inet chainbot input tcp dport 22 accept", "inet chainbot"),
        ("add chain inet chainbot input { type filter hook input priority filter; policy accept; }", "inet chainbot"),
        ("delete table inet chainbot", "inet chainbot"),
        ("add element inet filter blocked { 10.0.0.1 }", "inet filter"),
        ("add table ip nat", "ip nat"),
    ])
    func aChangeLineNamesItsTable(line: String, table: String) {
        #expect(NftMonitor.table(in: line) == table)
    }

    @Test(arguments: ["# new generation 9 by process 42 (nft)", "", "garbage", "add", "list table inet chainbot"])
    func commentsAndOtherLinesNameNoTable(line: String) {
        #expect(NftMonitor.table(in: line) == nil)
    }

    final class Seen: Sendable {
        let tables = Mutex<[String]>([])
        let lost = Mutex<String?>(nil)
    }

    @Test(.enabled(if: NetworkPair.unavailable() == nil, "\(NetworkPair.unavailable() ?? "")"))
    func aHandFlushOfChainbotsTableInANamespaceIsReported() async throws {
        let name = String(("nm" + String(getpid(), radix: 36)).suffix(8))
        let pair = try NetworkPair.create(name)
        defer { pair.remove() }
        _ = try await pair.run(.host, ["nft", "add", "table", "inet", "chainbot"])
        let seen = Seen()
        let monitor = try NftMonitor(
            argv: [NetworkPair.script, "exec", name, "host", "nft", "monitor"],
            onChange: { table in seen.tables.withLock { $0.append(table) } },
            onLost: { why in seen.lost.withLock { $0 = why } })
        defer { monitor.stop() }
        // The monitor is listening once a change made after it started shows up.
        let listening = try await Poll.within(.seconds(120)) {
            _ = try await pair.run(.host, ["nft", "add", "table", "inet", "other"])
            _ = try await pair.run(.host, ["nft", "delete", "table", "inet", "other"])
            return seen.tables.withLock { $0.contains("inet other") }
        }
        try #require(listening)
        _ = try await pair.run(.host, ["nft", "add", "chain", "inet", "chainbot", "input"])
        _ = try await pair.run(.host, ["nft", "flush", "table", "inet", "chainbot"])
        #expect(try await Poll.within(.seconds(60)) { seen.tables.withLock { $0.contains("inet chainbot") } })
        #expect(seen.lost.withLock { $0 } == nil)

    }
}
