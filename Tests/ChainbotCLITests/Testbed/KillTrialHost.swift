import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc

/// What the kill trials look at on the testbed's host: the unit files, their enable links, the environment
/// files and each unit's run state, read through `/proc/LEADER/root` (files) and one `systemctl show`.
struct KillTrialSnapshot: Equatable {
    var unitFiles: [Int: String] = [:]
    var links: Set<Int> = []
    var files: [Int: String] = [:]
    /// `ActiveState MainPID` of each unit, e.g. `active 312`.
    var runState: [Int: String] = [:]
    /// `LoadState` of each unit.
    var loadState: [Int: String] = [:]
    var sentinel: String?
    /// Temporary files or links chainbot left (`.NAME.chainbot-XXXXXX`) in the directories it writes to.
    var temporaries: [String] = []

    func isActive(_ index: Int) -> Bool {
        ["active", "activating", "reloading"].contains(runState[index]?.split(separator: " ").first ?? "")
    }

    /// Whether nothing of the manifest set is left: no unit file, link, environment file, loaded unit.
    var isEmpty: Bool {
        unitFiles.isEmpty && links.isEmpty && files.isEmpty && sentinel == nil && temporaries.isEmpty
            && loadState.values.allSatisfy { $0 == "not-found" }
    }

    /// The changes from `before` that only a step of chainbot's can have made, each with the step actions
    /// (any one of them) that explain it: a file whose content changed, a new enable link, a unit that
    /// started or got a new main process.
    func evidence(since before: KillTrialSnapshot) -> [(what: String, actions: [String])] {
        typealias M = KillTrialManifests
        var found: [(String, [String])] = []
        for index in 0..<M.fileCount where files[index] != before.files[index] {
            found.append(("\(M.filePath(index)) changed", ["write \(M.filePath(index))"]))
        }
        if sentinel != before.sentinel {
            found.append(("\(M.sentinelPath) changed", ["write \(M.sentinelPath)"]))
        }
        for index in 0..<M.serviceCount {
            if unitFiles[index] != before.unitFiles[index] {
                found.append(("\(M.unitPath(index)) changed", ["write \(M.unitPath(index))"]))
            }
            if links.contains(index), !before.links.contains(index) {
                found.append(("\(M.unit(index)) linked", ["systemctl enable \(M.unit(index))"]))
            }
            if isActive(index), runState[index] != before.runState[index] {
                let what = "\(M.unit(index)) \(before.runState[index] ?? "absent") → \(runState[index] ?? "")"
                found.append(
                    (what, ["systemctl start \(M.unit(index))", "systemctl restart \(M.unit(index))"]))
            }
        }
        return found
    }

    /// The resources whose file is on the host, as `Kind/name`.
    var present: [String] {
        typealias M = KillTrialManifests
        return unitFiles.keys.sorted().map { "Service/\(M.service($0))" }
            + files.keys.sorted().map { "ConfigFile/\(M.file($0))" } + (sentinel == nil ? [] : ["ConfigFile/kt-keep"])
    }
}

/// The testbed as the kill trials use it. The state file and the manifests live in `exchange`, a host
/// directory bound into the testbed at the same path, so the test reads the store directly; the files chainbot
/// writes in the testbed's own root are read and changed inside it (`exec`), never through `/proc/PID/root`
/// (seen here: after a removal from the host side, that view of the overlay missed files created inside).
struct KillTrialHost {
    let testbed: Testbed
    /// The bound host directory.
    let exchange: String
    static let binary = "/usr/local/bin/chainbot"
    /// The directories chainbot writes the trials' files and links in.
    static let writtenDirectories = [
        "/etc/kt", "/etc/kt-keep", "/etc/systemd/system", "/etc/systemd/system/multi-user.target.wants",
    ]

    var statePath: String { exchange + "/state.db" }
    var manifestDirectory: String { exchange + "/manifests" }

    func writeManifests(_ text: String) throws {
        TemporaryDirectory.remove(manifestDirectory)
        guard mkdir(manifestDirectory, 0o755) == 0, Fixtures.write(manifestDirectory + "/kt.yaml", text) else {
            throw Testbed.Failure.commandFailed("writing the manifests in \(manifestDirectory): errno \(errno)")
        }
    }

    /// The argv that runs the copied `chainbot` inside the testbed on the trials' manifests and state file.
    func argv(_ arguments: [String]) -> [String] {
        [Self.binary] + arguments + ["-f", manifestDirectory, "--state", statePath]
    }

    func chainbot(_ arguments: [String]) async throws -> CommandResult {
        try await testbed.exec(argv(arguments), timeout: .seconds(120))
    }

    /// Runs `script` with `sh -c` inside the testbed; throws when it fails.
    @discardableResult
    func shell(_ script: String) async throws -> String {
        let result = try await testbed.exec(["sh", "-c", script])
        guard result.succeeded else { throw Testbed.Failure.commandFailed("\(script): \(result.errorOutput)") }
        return result.output
    }

    /// The state file, opened read-only (nothing is migrated or created); nil when absent.
    func store() throws -> SQLiteStateStore? {
        guard Fixtures.exists(statePath) else { return nil }
        return try SQLiteStateStore.openReadOnly(path: statePath)
    }

    /// What a kill left of the state file.
    enum Store {
        case absent
        /// Created, but not all of its migrations ran (a kill between them): no run can have begun.
        case beingCreated
        case ready(SQLiteStateStore)
    }

    func storeAfterKill() throws(StoreError) -> Store {
        guard Fixtures.exists(statePath) else { return .absent }
        do throws(StoreError) {
            return .ready(try SQLiteStateStore.openReadOnly(path: statePath))
        } catch {
            // Migrations not all run, or the very first write (the switch to write-ahead logging, the only
            // one with a rollback journal) cut off: a hot journal no read-only open can roll back.
            guard error.code == .schemaTooOld || error.code == .interruptedWrite else { throw error }
            return .beingCreated
        }
    }

    /// One `sh -c` inside: the SHA-256 of every file of the set, the enable links, chainbot's temporaries,
    /// and `systemctl show` of every unit.
    func snapshot() async throws -> KillTrialSnapshot {
        typealias M = KillTrialManifests
        let paths =
            (0..<M.serviceCount).map(M.unitPath) + (0..<M.fileCount).map(M.filePath) + [M.sentinelPath]
        let units = (0..<M.serviceCount).map(M.unit)
        let output = try await shell(
            "sha256sum \(paths.joined(separator: " ")) 2>/dev/null; echo '--links'; "
                + "ls -1 /etc/systemd/system/multi-user.target.wants 2>/dev/null; echo '--temporaries'; "
                + "for d in \(Self.writtenDirectories.joined(separator: " ")); do "
                + "ls -1a \"$d\" 2>/dev/null | grep -F .chainbot- | sed \"s|^|$d/|\"; done; echo '--show'; "
                + "systemctl show --property=Id,LoadState,ActiveState,MainPID \(units.joined(separator: " "))")
        var snapshot = KillTrialSnapshot()
        var section = "hashes"
        var properties: [String: String] = [:]
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [""] {
            if line.hasPrefix("--") {
                section = String(line.dropFirst(2))
                continue
            }
            switch section {
            case "hashes":
                let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingPrefix(" ") }
                guard parts.count == 2 else { continue }
                let (hash, path) = (String(parts[0]), String(parts[1]))
                if let index = (0..<M.serviceCount).first(where: { M.unitPath($0) == path }) {
                    snapshot.unitFiles[index] = hash
                } else if let index = (0..<M.fileCount).first(where: { M.filePath($0) == path }) {
                    snapshot.files[index] = hash
                } else if path == M.sentinelPath {
                    snapshot.sentinel = hash
                }
            case "links":
                if let index = units.firstIndex(of: line) { snapshot.links.insert(index) }
            case "temporaries":
                if !line.isEmpty { snapshot.temporaries.append(line) }
            default:
                if let equals = line.firstIndex(of: "=") {
                    properties[String(line[..<equals])] = String(line[line.index(after: equals)...])
                } else if let id = properties["Id"], let index = units.firstIndex(of: id) {
                    snapshot.loadState[index] = properties["LoadState"]
                    snapshot.runState[index] = "\(properties["ActiveState"] ?? "?") \(properties["MainPID"] ?? "?")"
                    properties = [:]
                }
            }
        }
        return snapshot
    }

    /// Puts the testbed back to no trial resources and no state file; units are stopped and the manager
    /// reloaded only when some are left (after a failed trial).
    func reset() async throws {
        typealias M = KillTrialManifests
        for name in ["", "-wal", "-shm", ".lock"] { unlink(statePath + name) }
        try await shell("rm -rf /etc/kt /etc/kt-keep")
        guard !(try await snapshot()).isEmpty else { return }
        let units = (0..<M.serviceCount).map(M.unit).joined(separator: " ")
        let files = (0..<M.serviceCount).flatMap { [M.unitPath($0), M.linkPath($0)] }.joined(separator: " ")
        try await shell(
            "systemctl stop \(units); rm -f \(files); systemctl daemon-reload; systemctl reset-failed \(units) || true")
    }
}
