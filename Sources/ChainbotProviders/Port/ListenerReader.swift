public import ChainbotCore

/// Reads the host's listening sockets through the filesystem seam, so tests point it at a fixture tree.
///
/// Sockets come from `/proc/net/tcp`, `tcp6`, `udp` and `udp6` (the reader's network namespace); their
/// owners from a scan of every `/proc/PID/fd/*` link (`socket:[INODE]`), with `/proc/PID/comm` and the unit
/// from `/proc/PID/cgroup`. The same view as `ss -ltnp` / `ss -lunp`, except that /proc does not say whether
/// a `::` socket is IPv6-only: it is assumed dual-stack (`net.ipv6.bindv6only=0`, Linux's default).
public struct ListenerReader: Sendable {
    let fileSystem: any HostFileSystem

    public init(fileSystem: some HostFileSystem) {
        self.fileSystem = fileSystem
    }

    /// Every TCP socket in `LISTEN` and every unconnected UDP socket bound to a port, sorted (protocol, port,
    /// address). Processes that exit during the scan are left out; a process whose descriptors cannot be
    /// read makes `ownersComplete` false instead of failing. Throws when `/proc/net/tcp` or `/proc/net/udp`
    /// is missing (no /proc under the root), any table cannot be read (the error names the file and the
    /// errno's text), or a table holds a row that cannot be parsed.
    public func read() throws(ProviderError) -> [Listener] {
        var sockets: [(table: ProcNetTable, row: ProcNetTable.Row)] = []
        for table in ProcNetTable.all {
            let read: [UInt8]?
            do {
                read = try fileSystem.read(table.path)
            } catch {
                throw ProviderError("cannot read listening sockets: \(error.message)", detail: error.detail)
            }
            guard let bytes = read else {
                guard !table.required else {
                    throw ProviderError(
                        "cannot read listening sockets: \(table.path) is missing (is /proc mounted under '\(fileSystem.root)'?)"
                    )
                }
                continue
            }
            let rows = try table.parse(String(decoding: bytes, as: UTF8.self))
            sockets += rows.filter(table.isListener).map { (table, $0) }
        }
        let ownership = try SocketOwnerScan(fileSystem: fileSystem)
            .owners(of: Set(sockets.map(\.row.inode).filter { $0 != 0 }))
        return sockets.map { table, row in
            Listener(
                networkProtocol: table.networkProtocol, address: row.address, port: row.port, inode: row.inode,
                owners: row.inode == 0 ? [] : ownership.owners[row.inode, default: []].sorted(),
                ownersComplete: ownership.complete, ownersUnreadable: ownership.gap)
        }.sorted()
    }
}
