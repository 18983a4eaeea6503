import ChainbotCore
import ChainbotManifest
import ChainbotOS
import ChainbotProviders
import Glibc

/// `chainbot snapshot DIR`: copies what chainbot reads from this host into DIR, laid out as a host root
/// (as `fixtures/hosts/` trees are), so that `chainbot diff --root DIR` works offline and a snapshot can go
/// with a bug report.
enum SnapshotCommand {
    static let command = Command(
        name: "snapshot", summary: "copy what chainbot reads from this host into a directory (for diff --root)",
        usage:
            "chainbot snapshot [-f PATH]... [--watchtower-targets FILE] [--root SRC] [--config FILE] [--host NAME] [--label K=V]... DIR",
        help: """
            Copies the files chainbot's providers read — /proc/device-tree/model, /proc/cpuinfo, meminfo,
            loadavg, uptime, thermal zones, hostname, /etc/hosts, config.txt, /etc/os-release, /etc/passwd and
            /etc/group, the unit files, drop-ins and links under /etc/systemd/system, the manifests' ConfigFiles,
            Watchtower's targets file, /proc/net/{tcp,tcp6,udp,udp6} — into DIR at the same paths, with their
            mode, owner and group (by name, as the copied /etc/passwd and /etc/group say; only root can keep
            owners other than itself), records free disk space in DIR/statvfs and `vcgencmd get_throttled` in
            DIR/vcgencmd/get_throttled, and the output of `systemctl show` (the manifests' units),
            `nft -j list ruleset` and `ss -ltnup` in DIR/commands/. DIR/SNAPSHOT.txt says what was captured
            and what was not.

            No secrets: nothing under /etc/chainbot/secrets is read, a ConfigFile whose spec holds a secretRef
            is not copied, and Environment= values with secret-looking names (TOKEN, SECRET, PASSWORD, KEY…)
            in unit files are replaced by REDACTED. Without root some commands fail; the snapshot says so.

            Then: chainbot diff --root DIR [-f PATH]... compares the manifests with the snapshot, offline.

            options:
              -f, --filename PATH   manifests (repeatable): adds their ConfigFile paths, their Services to
                                    `systemctl show`, and a Host's disk paths
              --host NAME           this host's name for metadata.hostSelector (default: the
                                    configuration's host, else the kernel's host name)
              --label KEY=VALUE     one of this host's labels for hostSelector (repeatable; the
                                    configuration's labels: mapping)
              --watchtower-targets FILE
                                    Watchtower's targets file to copy (default: the configuration file's,
                                    else $CHAINBOT_WATCHTOWER_TARGETS, else
                                    /opt/alexos/watchtower/targets.yaml), as diff finds it
              --root SRC            snapshot an image or another snapshot under SRC instead of this host
                                    (runs no command; copies SRC's recorded outputs)
              --config FILE         the agent's configuration (as for diff): its filename and
                                    watchtower-targets apply here too; options given here win

            exit: 0 written, 2 DIR could not be written, 64 usage (DIR exists and is not empty), 65 invalid manifests.
            """,
        valued: [
            "-f": "filename", "--filename": "filename", "--root": "root", "--watchtower-targets": "watchtower-targets",
            "--config": "config", "--host": "host", "--label": "label",
        ], run: run)

    static func run(_ given: Arguments, _ context: CommandContext) async -> ExitCode {
        // The same manifests and targets file as `diff` on this host takes from the agent's configuration.
        let arguments: Arguments
        switch ConfigFileOptions.merged(
            given, environment: context.environment, keys: ["filename", "watchtower-targets", "host", "labels"])
        {
        case .success(let merged): arguments = merged
        case .failure(let error):
            context.stderr.write("chainbot snapshot: \(error.message)\nusage: \(command.usage)\n")
            return .usage
        }
        guard arguments.positional.count == 1, let directory = arguments.positional.first, !directory.isEmpty else {
            context.stderr.write(
                "chainbot snapshot: give one directory to write the snapshot to\nusage: \(command.usage)\n")
            return .usage
        }
        if let problem = Self.unusableTarget(directory) {
            context.stderr.write("chainbot snapshot: \(problem)\n")
            return .usage
        }
        let host: HostIdentity
        do { host = try EngineOptions.hostIdentity(arguments) } catch {
            context.stderr.write("chainbot snapshot: \(error.message)\nusage: \(command.usage)\n")
            return .usage
        }
        let resources: [Resource]
        switch Self.selected(arguments.all("filename"), host: host, context) {
        case .success(let selected): resources = selected
        case .failure(let code): return code
        }
        let source = arguments.value("root")
        let targets = ProviderFactory.watchtowerSettings(
            targets: arguments.value("watchtower-targets"), root: nil, environment: context.environment
        ).targetsPath
        let clock = ContinuousClock()
        let started = clock.now
        let capture = SnapshotCapture(
            source: LocalFileSystem(root: source ?? "/"), live: source == nil,
            target: LocalFileSystem(root: directory), runner: SpawnCommandRunner(), resources: resources,
            watchtowerTargets: targets)
        let report: SnapshotCapture.Report
        do {
            try Self.makeDirectory(directory)
            report = try await capture.run(takenAt: Timestamp.now().iso8601)
        } catch {
            context.stderr.write("chainbot snapshot: cannot write the snapshot in \(directory): \(error)\n")
            return .failure
        }
        let elapsed = clock.now - started
        context.stdout.write(Self.summary(report, of: source, in: directory, elapsed: elapsed, targets: targets))
        return .success
    }

    /// What this host's manifests select, as diff and apply see them (none without `-f`); on failure the
    /// diagnostics are written and the exit code is the failure.
    static func selected(
        _ paths: [String], host: HostIdentity, _ context: CommandContext
    ) -> Result<[Resource], ExitCode> {
        guard !paths.isEmpty else { return .success([]) }
        let set = ManifestLoader(host: host).load(paths)
        if !set.diagnostics.isEmpty {
            let renderer = DiagnosticRenderer(files: set.files, colored: context.colors(on: context.stderr))
            context.stderr.write(renderer.render(set.diagnostics))
        }
        if set.hasIOErrors { return .failure(.failure) }
        guard set.isValid else {
            context.stderr.write("chainbot snapshot: the manifests are invalid; nothing was written\n")
            return .failure(.invalidManifests)
        }
        return .success(set.resources)
    }

    /// The lines `snapshot` ends with: what it wrote, what it could not, and how to compare offline.
    static func summary(
        _ report: SnapshotCapture.Report, of source: String?, in directory: String, elapsed: Duration, targets: String
    ) -> String {
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let origin = source.map { "of \($0)" } ?? "of this host"
        var out =
            "snapshot \(origin) in \(directory): \(report.files) files, \(report.commands) command outputs "
            + "(\(milliseconds) ms)\n"
        if !report.missed.isEmpty { out += "not captured: " + report.missed.joined(separator: "; ") + "\n" }
        if !report.withheld.isEmpty { out += "withheld (secrets): " + report.withheld.joined(separator: "; ") + "\n" }
        if !report.ownersNotKept.isEmpty {
            out += "owner or group not kept: \(report.ownersNotKept.count) files (listed in SNAPSHOT.txt)\n"
        }
        out += "compare offline: chainbot diff --root \(directory)\(Self.targetsOption(targets)) -f MANIFESTS\n"
        return out
    }

    /// ` --watchtower-targets PATH` when `path` is not where `diff --root` looks by default, else "".
    static func targetsOption(_ path: String) -> String {
        path == WatchtowerProvider.Settings.defaultTargetsPath ? "" : " --watchtower-targets \(path)"
    }

    /// Why `path` cannot receive a snapshot (a file, or a directory with something in it), or nil.
    static func unusableTarget(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            return "\(path) exists and is not a directory; give a new or empty directory"
        }
        guard let handle = opendir(path) else { return "cannot read \(path): \(String(cString: strerror(errno)))" }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." {
                return "\(path) exists and is not empty; give a new or empty directory (nothing was written)"
            }
        }
        return nil
    }

    /// `mkdir -p` with mode 0755.
    static func makeDirectory(_ path: String) throws(ProviderError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ProviderError("mkdir \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
