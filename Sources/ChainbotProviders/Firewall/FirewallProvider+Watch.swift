public import ChainbotCore

/// The Firewall and its rules concern chainbot's nftables table; a Port concerns its owner's events (its
/// listener comes and goes with the unit) and, when exposed, the table that holds its accept rule.
extension FirewallProvider: HostWatching {
    static let watchedTable = "\(NftRuleset.family) \(NftRuleset.table)"

    public func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints {
        switch spec {
        case .firewall, .firewallRule:
            return WatchPoints(nftTables: [Self.watchedTable])
        case .port(let port):
            return WatchPoints(
                nftTables: port.exposeFrom.isEmpty ? [] : [Self.watchedTable], follows: port.owner.map { [$0] } ?? [])
        default:
            return WatchPoints()
        }
    }
}
