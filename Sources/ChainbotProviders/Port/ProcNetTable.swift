import ChainbotCore

/// One of `/proc/net/tcp`, `tcp6`, `udp`, `udp6`: the sockets of one protocol and family in the reader's
/// network namespace, one row each.
struct ProcNetTable: Sendable, Hashable {
    /// One row: the columns a listener needs.
    struct Row: Sendable, Hashable {
        var address: String
        var port: Int
        /// The kernel's TCP state number (`0A` LISTEN, `07` CLOSE, which an unconnected UDP socket reports).
        var state: UInt8
        var inode: UInt64
    }

    /// `0A`: TCP_LISTEN.
    static let tcpListen: UInt8 = 0x0A
    /// `07`: TCP_CLOSE, the state of a UDP socket that is not connected to a peer.
    static let udpUnconnected: UInt8 = 0x07

    /// The four tables; the IPv6 ones are missing when the kernel runs without IPv6 (`ipv6.disable=1`).
    static let all: [ProcNetTable] = [
        ProcNetTable(path: "/proc/net/tcp", networkProtocol: .tcp, required: true),
        ProcNetTable(path: "/proc/net/tcp6", networkProtocol: .tcp, required: false),
        ProcNetTable(path: "/proc/net/udp", networkProtocol: .udp, required: true),
        ProcNetTable(path: "/proc/net/udp6", networkProtocol: .udp, required: false),
    ]

    var path: String
    var networkProtocol: NetworkProtocol
    /// Whether a missing file means /proc is not there (rather than IPv6 being off).
    var required: Bool

    /// True for a row that accepts traffic: a listening TCP socket, or an unconnected UDP socket bound to a port.
    func isListener(_ row: Row) -> Bool {
        switch networkProtocol {
        case .tcp: row.state == Self.tcpListen
        case .udp: row.state == Self.udpUnconnected && row.port != 0
        }
    }

    /// Every row of the file's text after the header; throws naming the file and 1-based line of a row that
    /// does not have the kernel's shape (`sl: local rem st tx:rx tr:when retrnsmt uid timeout inode …`).
    func parse(_ text: String) throws(ProviderError) -> [Row] {
        var rows: [Row] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if index == 0 || fields.isEmpty { continue }
            guard let row = Self.row(fields) else {
                throw ProviderError(
                    "cannot read listening sockets: \(path) line \(index + 1) is not a socket row",
                    detail: String(line))
            }
            rows.append(row)
        }
        return rows
    }

    private static func row(_ fields: [Substring]) -> Row? {
        guard fields.count >= 10, fields[0].hasSuffix(":") else { return nil }
        let local = fields[1].split(separator: ":")
        guard local.count == 2, let address = ListenerAddress.decode(local[0]),
            let port = ListenerAddress.decodePort(local[1]),
            fields[3].utf8.count == 2, let state = UInt8(fields[3], radix: 16),
            let inode = UInt64(fields[9])
        else { return nil }
        return Row(address: address, port: port, state: state, inode: inode)
    }
}
