/// Reads `systemctl show --property=… -- UNIT…` output: one block of `Key=value` lines per unit, blocks
/// separated by blank lines, in the order the units were named.
enum SystemctlShowParser {
    /// The blocks in order; a line without `=` is skipped, a value keeps any further `=` signs.
    static func blocks(_ output: String) -> [UnitStatus] {
        var blocks: [UnitStatus] = []
        var current: [String: String] = [:]
        for line in output.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.isEmpty {
                if !current.isEmpty { blocks.append(UnitStatus(current)) }
                current = [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            current[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        if !current.isEmpty { blocks.append(UnitStatus(current)) }
        return blocks
    }

    /// Each requested unit's status: by position when systemd printed one block per unit (it follows
    /// argument order, and `Id` may name an alias's real unit), else by `Id`; a unit without a block
    /// gets an empty status.
    static func statuses(_ output: String, units: [String]) -> [String: UnitStatus] {
        let blocks = blocks(output)
        var out: [String: UnitStatus] = [:]
        if blocks.count == units.count {
            for (unit, block) in zip(units, blocks) { out[unit] = block }
            return out
        }
        for block in blocks {
            if let id = block.id, units.contains(id), out[id] == nil { out[id] = block }
        }
        for unit in units where out[unit] == nil { out[unit] = UnitStatus() }
        return out
    }
}
