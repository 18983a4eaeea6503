import ChainbotCore

extension HostProvider {
    /// Where the firmware reads its configuration: Raspberry Pi OS bookworm and later first, older images second.
    static let bootConfigPaths = ["/boot/firmware/config.txt", "/boot/config.txt"]

    /// `boot config [section] key`, the section lower-cased as the firmware compares it.
    static func bootFacet(_ section: String, _ key: String) -> String {
        "boot config [\(section.lowercased())] \(key)"
    }

    /// One `key=value` line per value, in order, as the lines read in `config.txt`; absent without values.
    static func bootValue(_ key: String, _ values: [String]) -> FacetValue {
        values.isEmpty ? .absent : .text(values.map { "\(key)=\($0)\n" }.joined())
    }

    /// The `config.txt` in use: `/boot/firmware/config.txt`, else `/boot/config.txt` when only that exists;
    /// a new file goes to the first.
    func bootConfigPath() throws(ProviderError) -> String {
        for path in Self.bootConfigPaths {
            if try fileSystem.info(path) != nil { return path }
        }
        return Self.bootConfigPaths[0]
    }

    /// The files the steps of `spec` may edit, read now so that `steps` can stay pure.
    func readFiles(_ spec: HostSpec) throws(ProviderError) -> HostFiles {
        var files = HostFiles()
        if !spec.bootConfig.isEmpty { files.bootConfig = try file(bootConfigPath()) }
        if spec.hostname != nil {
            files.hosts = try file("/etc/hosts")
            let hostname = try file("/etc/hostname")
            files.hostname = hostname.bytes.map { HostText.trimmed(String(decoding: $0, as: UTF8.self)) }
            files.hostnameMode = hostname.mode
        }
        return files
    }

    private func file(_ path: String) throws(ProviderError) -> HostFiles.File {
        guard let info = try fileSystem.info(path) else { return HostFiles.File(path: path) }
        guard info.type == .regular || info.type == .symlink else {
            throw ProviderError("cannot manage \(path): it is not a regular file")
        }
        return HostFiles.File(path: path, bytes: try fileSystem.read(path), mode: info.mode)
    }

    /// Refuses a section, key or value that would not stay one line of `config.txt` (or one `[filter]`).
    static func validateBootConfig(_ sections: [BootConfigSection]) throws(ProviderError) {
        let lineBreaks: Set<Character> = ["\n", "\r", "\r\n", "\0"]
        for section in sections {
            let name = section.section
            if name.isEmpty || name.contains(where: { lineBreaks.contains($0) || "[]#".contains($0) || $0 == " " }) {
                throw ProviderError("invalid config.txt section '\(name)': use a filter name such as all, pi4, pi5")
            }
            for entry in section.entries {
                let key = entry.key
                if key.isEmpty || key.contains(where: { lineBreaks.contains($0) || "=[]# \t".contains($0) }) {
                    throw ProviderError("invalid config.txt key '\(key)' in [\(name)]")
                }
                for value in entry.values where value.contains(where: { lineBreaks.contains($0) }) {
                    throw ProviderError("invalid value for \(key) in [\(name)]: a config.txt value is one line")
                }
            }
        }
    }
}

extension HostFiles.File {
    init(path: String) {
        self.init(path: path, bytes: nil, mode: nil)
    }
}
