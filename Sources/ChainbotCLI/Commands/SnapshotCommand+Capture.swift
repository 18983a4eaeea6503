import ChainbotCore
import ChainbotOS
import ChainbotProviders
import Glibc

/// Copies what chainbot reads from a host (live, or an image/snapshot root) into a snapshot root.
struct SnapshotCapture {
    /// What a snapshot holds and what it could not or would not take.
    struct Report {
        var files = 0
        var commands = 0
        /// `what: why`, for files that could not be read and commands that failed.
        var missed: [String] = []
        /// Paths not copied because they hold secrets.
        var withheld: [String] = []
        /// `path: NAME` for each Environment= value replaced by REDACTED.
        var redacted: [String] = []
        /// `path: OWNER:GROUP (why)` for files copied with the snapshot taker's owner or group instead.
        var ownersNotKept: [String] = []
    }

    let source: any HostFileSystem
    /// True when `source` is this running host: commands run and disk space is measured.
    let live: Bool
    let target: any HostFileSystem
    let runner: any CommandRunner
    /// Manifest resources that widen the capture (ConfigFile paths, Service units, Host disk paths).
    let resources: [Resource]
    /// Watchtower's targets file, as `diff` and `apply` find it (`--watchtower-targets`, the environment,
    /// the configuration file or the default).
    let watchtowerTargets: String

    /// The account files, copied first: the snapshot's owners and groups are set by these names, and
    /// `diff --root` reads them back through the same files.
    static let accountFiles = ["/etc/group", "/etc/passwd"]
    /// The files providers read, at their host paths.
    static let files = [
        "/proc/cpuinfo", "/proc/meminfo", "/proc/loadavg", "/proc/uptime", "/proc/sys/kernel/hostname",
        "/etc/hostname", "/etc/hosts", "/etc/os-release", "/boot/firmware/config.txt", "/boot/config.txt",
        "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6",
    ]
    static let unitDirectory = "/etc/systemd/system"
    static let secretsDirectory = "/etc/chainbot/secrets"
    static let commandTimeout: Duration = .seconds(10)

    func run(takenAt: String) async throws(ProviderError) -> Report {
        var report = Report()
        for path in Self.accountFiles { try copy(path, &report) }
        if try !copy("/proc/device-tree/model", &report) {
            try copy("/sys/firmware/devicetree/base/model", &report)
        }
        for path in Self.files { try copy(path, &report) }
        for zone in try listed("/sys/class/thermal", &report) where zone.hasPrefix("thermal_zone") {
            try copy("/sys/class/thermal/\(zone)/temp", &report)
            try copy("/sys/class/thermal/\(zone)/type", &report)
        }
        try copyUnits(Self.unitDirectory, &report)
        try copyConfigFiles(&report)
        try copy(watchtowerTargets, &report, keepingLink: true)
        if live {
            try await recordDiskSpace(&report)
            try await runCommands(&report)
        } else {
            try copy(HostProvider.recordedDiskSpacePath, &report)
            try copy(HostProvider.recordedThrottlingPath, &report)
            for name in try listed("/commands", &report) { try copy("/commands/" + name, &report) }
        }
        try write("/SNAPSHOT.txt", Array(index(report, takenAt: takenAt).utf8))
        return report
    }

    /// Copies one file if it is there, with its mode, owner and group; true when copied. A symbolic link
    /// is followed, or copied as the link itself when `keepingLink` (what a provider that looks at the link
    /// sees). A file that cannot be read is noted, not fatal.
    @discardableResult
    private func copy(_ path: String, _ report: inout Report, keepingLink: Bool = false) throws(ProviderError)
        -> Bool
    {
        guard !path.hasPrefix(Self.secretsDirectory) else {
            report.withheld.append(path)
            return false
        }
        let info: FileInfo?
        let bytes: [UInt8]
        do {
            info = try source.info(path)
            if keepingLink, info?.type == .symlink, let destination = try source.readLink(path) {
                try target.symlink(destination, at: path)
                report.files += 1
                return true
            }
            guard let read = try source.read(path) else { return false }
            bytes = read
        } catch {
            report.missed.append("\(path): \(error.message)")
            return false
        }
        // A followed link's own mode says nothing about the file; no provider compares those.
        try write(path, bytes, like: info?.type == .regular ? info : nil, &report)
        report.files += 1
        return true
    }

    private func listed(_ directory: String, _ report: inout Report) throws(ProviderError) -> [String] {
        do { return try source.list(directory) } catch {
            report.missed.append("\(directory): \(error.message)")
            return []
        }
    }

    /// Writes a snapshot file of chainbot's own (an index, a command's output): mode 0644, the taker's owner.
    private func write(_ path: String, _ bytes: [UInt8]) throws(ProviderError) {
        try target.write(FileWrite(path: path, content: bytes, mode: 0o644))
    }

    /// Writes a copy with the exact mode, owner and group of the original `info` (0644 and the taker's when
    /// nil). Owner and group go by name, resolved in the snapshot's own `/etc/passwd` and `/etc/group`
    /// (copied first), as `diff --root` reads them back; ids the taker's new file has anyway are not set.
    /// Without root, or for an id with no name, the taker's owner stays and the report says so.
    private func write(_ path: String, _ bytes: [UInt8], like info: FileInfo?, _ report: inout Report)
        throws(ProviderError)
    {
        guard let info else { return try write(path, bytes) }
        let owner = info.uid == geteuid() ? nil : info.owner ?? String(info.uid)
        let group = info.gid == getegid() ? nil : info.group ?? String(info.gid)
        let file = FileWrite(path: path, content: bytes, mode: info.mode & 0o7777, owner: owner, group: group)
        guard owner != nil || group != nil else { return try target.write(file) }
        let wanted = "\(info.owner ?? String(info.uid)):\(info.group ?? String(info.gid))"
        guard geteuid() == 0 else {
            report.ownersNotKept.append("\(path): \(wanted) (not root)")
            return try target.write(FileWrite(path: path, content: bytes, mode: file.mode))
        }
        do { try target.write(file) } catch {
            report.ownersNotKept.append("\(path): \(wanted) (\(error.message))")
            try target.write(FileWrite(path: path, content: bytes, mode: file.mode))
        }
    }

    /// Unit files and drop-ins (secret-looking Environment= values redacted) and the enablement links as links.
    private func copyUnits(_ directory: String, _ report: inout Report) throws(ProviderError) {
        for name in try listed(directory, &report) {
            let path = directory + "/" + name
            let info: FileInfo?
            do { info = try source.info(path) } catch {
                report.missed.append("\(path): \(error.message)")
                continue
            }
            switch info?.type {
            case .directory: try copyUnits(path, &report)
            case .symlink:
                guard let destination = try? source.readLink(path) else { continue }
                try target.symlink(destination, at: path)
                report.files += 1
            case .regular:
                guard let bytes = try? source.read(path) else {
                    report.missed.append("\(path): cannot be read")
                    continue
                }
                let (text, names) = Self.redacted(String(decoding: bytes, as: UTF8.self))
                report.redacted += names.map { "\(path): \($0)" }
                try write(path, names.isEmpty ? bytes : Array(text.utf8), like: info, &report)
                report.files += 1
            case .other, nil: continue
            }
        }
    }

    /// The paths of the manifests' ConfigFiles, except those that hold secrets.
    private func copyConfigFiles(_ report: inout Report) throws(ProviderError) {
        for resource in resources {
            guard case .configFile(let spec) = resource.spec else { continue }
            var holdsSecret = false
            if case .env(let entries) = spec.content {
                holdsSecret = entries.contains {
                    if case .secret = $0.value { true } else { false }
                }
            }
            if holdsSecret || spec.path.hasPrefix(Self.secretsDirectory) {
                report.withheld.append("\(spec.path) (\(resource.id))")
                continue
            }
            try copy(spec.path, &report, keepingLink: true)
        }
    }

    /// `statvfs` of `/`, `/boot/firmware` and the Host's disk paths, one `PATH TOTAL AVAILABLE` line each.
    private func recordDiskSpace(_ report: inout Report) async throws(ProviderError) {
        var paths = ["/", "/boot/firmware"]
        for resource in resources {
            if case .host(let spec) = resource.spec { paths += spec.diskPaths.filter { !paths.contains($0) } }
        }
        let probe = HostProvider.diskSpaceProbe(LocalFileSystem())
        let lines = paths.compactMap { probe($0) }.map(HostProvider.diskSpaceLine)
        try write(HostProvider.recordedDiskSpacePath, Array(lines.joined().utf8))
        report.files += 1
    }

    /// Runs the read-only commands whose output providers (and bug reports) need.
    private func runCommands(_ report: inout Report) async throws(ProviderError) {
        let units = resources.compactMap { resource -> String? in
            if case .service(let spec) = resource.spec { return spec.unitName }
            return nil
        }
        var commands: [(file: String, invocation: CommandInvocation)] = [
            ("vcgencmd-get_throttled", CommandInvocation("vcgencmd", ["get_throttled"], timeout: Self.commandTimeout)),
            (
                "systemctl-list-units",
                CommandInvocation(
                    "systemctl", ["list-units", "--type=service", "--all", "--no-pager", "--plain"],
                    timeout: Self.commandTimeout)
            ),
            ("nft-list-ruleset", CommandInvocation("nft", ["-j", "list", "ruleset"], timeout: Self.commandTimeout)),
            ("ss-ltnup", CommandInvocation("ss", ["-ltnup"], timeout: Self.commandTimeout)),
        ]
        if !units.isEmpty {
            commands.insert(
                (
                    "systemctl-show",
                    CommandInvocation("systemctl", ["show", "--"] + units, timeout: Self.commandTimeout)
                ),
                at: 1)
        }
        for (file, invocation) in commands {
            let result: CommandResult
            do { result = try await runner.run(invocation) } catch {
                report.missed.append("\(invocation): \(error)")
                continue
            }
            guard result.succeeded else {
                let why = result.errorOutput.split(separator: "\n").first.map(String.init) ?? ""
                let status =
                    switch result.termination {
                    case .exited(let code): "exit \(code)"
                    case .signaled(let signal): "signal \(signal)"
                    }
                report.missed.append("\(invocation): failed (\(status)) \(why)")
                continue
            }
            try write("/commands/\(file).txt", result.standardOutput)
            report.commands += 1
            if file == "vcgencmd-get_throttled" {
                try write(HostProvider.recordedThrottlingPath, result.standardOutput)
                report.files += 1
            }
        }
    }

    /// `SNAPSHOT.txt`: what this is, what it holds, and what it does not.
    private func index(_ report: Report, takenAt: String) -> String {
        var text = """
            chainbot snapshot (chainbot \(ChainbotCLI.version)), taken \(takenAt) of \(live ? "this host" : source.root)
            \(report.files) files at their host paths, \(report.commands) command outputs in commands/
            statvfs: PATH TOTAL_BYTES AVAILABLE_BYTES per line; vcgencmd/get_throttled: its output.
            Watchtower's targets file: \(watchtowerTargets); owners and groups by the names in etc/passwd, etc/group.
            Compare offline: chainbot diff --root THIS_DIRECTORY\(SnapshotCommand.targetsOption(watchtowerTargets)) -f MANIFESTS

            """
        let sections = [
            ("not captured", report.missed), ("withheld (secrets)", report.withheld),
            ("redacted Environment= values", report.redacted),
            ("owner or group not kept (the snapshot's differs from the host's)", report.ownersNotKept),
        ]
        for (title, lines) in sections where !lines.isEmpty {
            text += "\n\(title):\n" + lines.map { "  \($0)\n" }.joined()
        }
        return text
    }
}
