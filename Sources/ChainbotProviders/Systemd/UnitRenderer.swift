import ChainbotCore

/// Renders a structured `ServiceUnit` as unit-file text: the same input always gives the same bytes.
///
/// Sections and keys come in a fixed order; lists keep manifest order except `Environment=` lines,
/// which are sorted by variable name. Every free-text value has `%` doubled (no specifier expansion);
/// `ExecStart=` is otherwise verbatim, so its systemd quoting and `$VAR` expansion stay available.
struct UnitRenderer: Sendable {
    let id: ResourceID

    /// The first line of every unit chainbot renders.
    var header: String { "# Managed by chainbot (\(id)); local edits are reverted." }

    /// The unit text, normalized (one final newline, no trailing blanks).
    func render(_ unit: ServiceUnit) throws(ProviderError) -> String {
        var lines = [header]

        var unitSection: [String] = []
        if let description = unit.description { unitSection.append(try line("Description", description)) }
        unitSection += try unitList("After", unit.after)
        unitSection += try unitList("Wants", unit.wants)
        unitSection += try unitList("Requires", unit.requires)
        if !unitSection.isEmpty { lines += ["[Unit]"] + unitSection + [""] }

        lines.append("[Service]")
        // exec, not simple, by default: `systemctl start` then fails when the program cannot be executed.
        lines.append(try line("Type", unit.type ?? "exec"))
        if let user = unit.user { lines.append(try line("User", user)) }
        if let group = unit.group { lines.append(try line("Group", group)) }
        if let directory = unit.workingDirectory { lines.append(try line("WorkingDirectory", directory)) }
        for variable in unit.environment.sorted(by: { $0.name < $1.name }) {
            lines.append(try environment(variable))
        }
        if let file = unit.environmentFile { lines.append(try line("EnvironmentFile", file)) }
        lines.append(try line("ExecStart", unit.exec))
        if let restart = unit.restart { lines.append(try line("Restart", restart)) }
        if let seconds = unit.restartSec { lines.append("RestartSec=" + SystemdTimeSpan.format(seconds)) }
        if let hardening = unit.hardening { lines += try self.hardening(hardening) }

        if !unit.wantedBy.isEmpty {
            lines += ["", "[Install]"] + (try unitList("WantedBy", unit.wantedBy))
        }
        return UnitText.normalize(lines.joined(separator: "\n"))
    }

    /// `KEY=value` with the value checked to fit on one line and its `%` doubled.
    private func line(_ key: String, _ value: String) throws(ProviderError) -> String {
        try UnitEscaping.checkOneLine(value, setting: key, of: id)
        return "\(key)=\(UnitEscaping.specifiers(value))"
    }

    /// `KEY=a b c` for a list of unit names, or nothing for an empty list.
    private func unitList(_ key: String, _ units: [String]) throws(ProviderError) -> [String] {
        guard !units.isEmpty else { return [] }
        for unit in units {
            do {
                try SystemdPaths.validateUnitName(unit, suffix: nil)
            } catch {
                throw ProviderError("\(id): \(key)= \(error.message)")
            }
        }
        return ["\(key)=" + units.joined(separator: " ")]
    }

    /// `Environment="NAME=value"`: one variable per line, always quoted and escaped.
    private func environment(_ variable: NamedText) throws(ProviderError) -> String {
        let name = Array(variable.name.utf8)
        let isNameByte: (UInt8) -> Bool = { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = name.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            name.allSatisfy(isNameByte)
        else {
            throw ProviderError("\(id): '\(variable.name)' is not a valid environment variable name")
        }
        return "Environment=" + UnitEscaping.quoted("\(variable.name)=\(variable.text)")
    }

    /// The sandboxing lines, booleans in systemd's `yes`/`no` spelling.
    private func hardening(_ hardening: Hardening) throws(ProviderError) -> [String] {
        var lines: [String] = []
        if let value = hardening.noNewPrivileges { lines.append("NoNewPrivileges=" + yesNo(value)) }
        if let value = hardening.privateTmp { lines.append("PrivateTmp=" + yesNo(value)) }
        if let value = hardening.protectSystem { lines.append(try line("ProtectSystem", booleanWord(value))) }
        if let value = hardening.protectHome { lines.append(try line("ProtectHome", booleanWord(value))) }
        if !hardening.readWritePaths.isEmpty {
            var words: [String] = []
            for path in hardening.readWritePaths {
                words.append(try UnitEscaping.pathWord(path, setting: "ReadWritePaths", of: id))
            }
            lines.append("ReadWritePaths=" + words.joined(separator: " "))
        }
        return lines
    }

    private func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// `true`/`false` in systemd's `yes`/`no` spelling; other words (`strict`, `read-only`) unchanged.
    private func booleanWord(_ value: String) -> String {
        switch value {
        case "true": "yes"
        case "false": "no"
        default: value
        }
    }
}
