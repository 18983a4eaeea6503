import ChainbotCore

/// Where chainbot writes units and drop-ins, and the name checks that keep every path inside
/// `/etc/systemd/system` (checked again here even though manifest validation checked them first).
enum SystemdPaths {
    /// The directory for units the administrator (here: chainbot) owns.
    static let unitDirectory = "/etc/systemd/system"

    /// The suffix of drop-in files; systemd ignores other files in `UNIT.d/`.
    static let dropInSuffix = ".conf"

    /// The host path of a service's unit file, after checking the name.
    static func unitFile(_ unit: String) throws(ProviderError) -> String {
        try validateUnitName(unit, suffix: ".service")
        return "\(unitDirectory)/\(unit)"
    }

    /// The host path of a service's drop-in directory (`UNIT.d`), after checking the name.
    static func dropInDirectory(_ unit: String) throws(ProviderError) -> String {
        try validateUnitName(unit, suffix: ".service")
        return "\(unitDirectory)/\(unit).d"
    }

    /// The host path of one drop-in file; `fileName` must already end in `.conf`.
    static func dropInFile(unit: String, fileName: String) throws(ProviderError) -> String {
        try validateDropInFileName(fileName)
        return try dropInDirectory(unit) + "/" + fileName
    }

    /// The file name of a manifest drop-in: `limits` becomes `limits.conf`; `limits.conf` stays as it is.
    static func dropInFileName(_ name: String) throws(ProviderError) -> String {
        let fileName = name.hasSuffix(dropInSuffix) ? name : name + dropInSuffix
        try validateDropInFileName(fileName)
        return fileName
    }

    /// The symbolic link `systemctl enable` makes for `unit` in `target`'s `.wants` (or `.requires`) folder.
    static func installLink(unit: String, target: InstallSection.Target) throws(ProviderError) -> String {
        try validateUnitName(unit, suffix: ".service")
        try validateUnitName(target.unit, suffix: nil)
        return "\(unitDirectory)/\(target.unit).\(target.relation.rawValue)/\(unit)"
    }

    /// Throws unless `path` is a unit file or drop-in path this provider builds; guards `execute`.
    static func validateManagedPath(_ path: String) throws(ProviderError) {
        let prefix = unitDirectory + "/"
        guard path.hasPrefix(prefix) else { throw outside(path) }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            try validateUnitName(String(parts[0]), suffix: ".service")
        case 2 where parts[0].hasSuffix(".d"):
            try validateUnitName(String(parts[0].dropLast(2)), suffix: ".service")
            try validateDropInFileName(String(parts[1]))
        default:
            throw outside(path)
        }
    }

    /// Throws unless `name` is a unit name systemd accepts: 1–255 bytes of letters, digits and `:-_.\@`,
    /// not starting with `-` or `.`, ending in `suffix` (any unit type when nil) after a non-empty stem.
    static func validateUnitName(_ name: String, suffix: String?) throws(ProviderError) {
        let bytes = Array(name.utf8)
        let allowed = Set(":-_.\\@".utf8)
        let charactersOK = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || allowed.contains(byte)
        }
        guard !bytes.isEmpty, bytes.count <= 255, charactersOK, bytes.first != UInt8(ascii: "-"),
            bytes.first != UInt8(ascii: ".")
        else {
            throw ProviderError("refusing unit name '\(printable(name))': not a valid systemd unit name")
        }
        if let suffix {
            guard name.hasSuffix(suffix), name.utf8.count > suffix.utf8.count else {
                throw ProviderError("refusing unit name '\(printable(name))': it must end in \(suffix)")
            }
        } else {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex
            else {
                throw ProviderError("refusing unit name '\(printable(name))': it has no unit type suffix")
            }
        }
    }

    /// Throws unless `fileName` is a single path component ending in `.conf`, without control characters.
    static func validateDropInFileName(_ fileName: String) throws(ProviderError) {
        let bytes = Array(fileName.utf8)
        guard fileName.hasSuffix(dropInSuffix), bytes.count > dropInSuffix.utf8.count, bytes.count <= 255,
            fileName != ".", fileName != "..", !fileName.hasPrefix("."),
            !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 < 0x20 || $0 == 0x7f })
        else {
            throw ProviderError(
                "refusing drop-in name '\(printable(fileName))': it must be one file name ending in .conf")
        }
    }

    private static func outside(_ path: String) -> ProviderError {
        ProviderError("refusing to touch '\(printable(path))': not a unit file or drop-in under \(unitDirectory)")
    }

    /// The text with control characters shown as `?`, so an error message stays on one line.
    private static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }
}
