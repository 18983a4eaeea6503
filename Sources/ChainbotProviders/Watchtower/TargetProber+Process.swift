import ChainbotCore

extension TargetProber {
    /// Looks for a process in `/proc` through the filesystem seam: by `comm` for a name (the kernel keeps
    /// its first 15 bytes), by the `exe` link or the first word of `cmdline` for an absolute path.
    func probeProcess(_ spec: WatchtowerTargetSpec) -> ProbeResult {
        let pids: [String]
        do { pids = try fileSystem.list("/proc").filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) } } catch {
            return ProbeResult(passed: false, evidence: "process \(spec.target): \(error.message)")
        }
        let byPath = spec.target.hasPrefix("/")
        let comm = String(decoding: Array(spec.target.utf8.prefix(15)), as: UTF8.self)
        var found: [String] = []
        for pid in pids {
            // A process may exit between the listing and the read: skip it.
            if byPath {
                if (try? fileSystem.readLink("/proc/\(pid)/exe")) ?? nil == spec.target
                    || Self.firstArgument(of: pid, fileSystem) == spec.target
                {
                    found.append(pid)
                }
            } else if let bytes = (try? fileSystem.read("/proc/\(pid)/comm")) ?? nil,
                String(decoding: bytes, as: UTF8.self).trimmingSuffix("\n") == comm
            {
                found.append(pid)
            }
        }
        guard !found.isEmpty else {
            return ProbeResult(passed: false, evidence: "process \(spec.target): none running (\(pids.count) in /proc)")
        }
        let list = found.prefix(5).joined(separator: ", ") + (found.count > 5 ? ", …" : "")
        return ProbeResult(passed: true, evidence: "process \(spec.target): pid \(list)")
    }

    private static func firstArgument(of pid: String, _ fileSystem: any HostFileSystem) -> String? {
        guard let bytes = (try? fileSystem.read("/proc/\(pid)/cmdline")) ?? nil else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
