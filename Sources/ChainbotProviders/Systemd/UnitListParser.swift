/// Reads `systemctl list-units --all --plain --no-legend --full -- UNIT…` output: one line per loaded
/// unit the patterns match, sorted by name, `UNIT LOAD ACTIVE SUB DESCRIPTION…` separated by spaces (unit
/// names hold none). A unit systemd has not loaded has no line.
enum UnitListParser {
    /// The `ActiveState` and `SubState` of each listed unit, by name; a line of fewer than four fields
    /// is skipped, a leading `●` (systemd's mark of a failed unit without `--plain`) ignored.
    static func states(_ output: String) -> [String: (active: String, sub: String)] {
        var states: [String: (active: String, sub: String)] = [:]
        for line in output.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if fields.first == "●" { fields.removeFirst() }
            guard fields.count >= 4 else { continue }
            states[fields[0]] = (fields[2], fields[3])
        }
        return states
    }
}
