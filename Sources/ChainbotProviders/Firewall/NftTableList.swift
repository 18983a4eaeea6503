import ChainbotCore

/// Reads `nft -j list tables` output: the tables the kernel holds, as `{"table": {"family", "name"}}`
/// objects in nft's `{"nftables": [...]}` listing.
enum NftTableList {
    /// Whether the listing holds the table `family` `name` (chainbot's `inet chainbot`).
    static func contains(
        family: String = NftRuleset.family, name: String = NftRuleset.table, in text: String
    ) throws(NftJSONParser.Failure) -> Bool {
        let document: JSONValue
        do { document = try JSONValue(parsing: text) } catch { throw .syntax(error) }
        guard let objects = document["nftables"]?.array else { throw .shape("no \"nftables\" array") }
        return objects.contains { object in
            object["table"]?["family"]?.string == family && object["table"]?["name"]?.string == name
        }
    }
}
