import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotStore

/// `chainbot firewall-watchdog` (internal, not listed): the process that restores the previous firewall
/// when the chainbot that loaded a new one does not confirm it in time. Started by the firewall provider;
/// see `FirewallGuard`.
///
///     chainbot firewall-watchdog --dir D --token T --timeout-ms N [--state FILE] -- RESTORE-ARGV...
enum FirewallWatchdogCommand {
    static let name = "firewall-watchdog"
    /// `chainbot firewall-restore-ufw FILE` (internal): the watchdog's restore for `backend: ufw`.
    static let restoreUfw = "firewall-restore-ufw"

    /// Puts ufw back as the snapshot file says (rule files, default policy, enabled or not).
    static func restore(_ arguments: [String], _ context: CommandContext) async -> ExitCode {
        guard arguments.count == 1 else {
            context.stderr.write("usage: chainbot \(restoreUfw) SNAPSHOT-FILE\n")
            return .usage
        }
        guard let bytes = try? LocalFileSystem().read(arguments[0]) ?? nil,
            let snapshot = UfwSnapshotFile.decode(String(decoding: bytes, as: UTF8.self))
        else {
            context.stderr.write("chainbot \(restoreUfw): \(arguments[0]) is not a ufw snapshot\n")
            return .failure
        }
        do {
            try await UfwBackend(runner: SpawnCommandRunner()).restore(snapshot)
            return .success
        } catch {
            context.stderr.write("chainbot \(restoreUfw): \(error)\n")
            return .failure
        }
    }

    static func run(_ arguments: [String], _ context: CommandContext) async -> ExitCode {
        var options: [String: String] = [:]
        var restore: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                restore = Array(arguments[(index + 1)...])
                break
            }
            guard ["--dir", "--token", "--timeout-ms", "--state"].contains(argument), index + 1 < arguments.count
            else {
                context.stderr.write("chainbot \(name): unexpected argument '\(argument)'\n")
                return .usage
            }
            options[argument] = arguments[index + 1]
            index += 2
        }
        guard let directory = options["--dir"], let token = options["--token"],
            let milliseconds = options["--timeout-ms"].flatMap(Int64.init), !restore.isEmpty,
            token.allSatisfy({ $0.isHexDigit })
        else {
            context.stderr.write(
                "usage: chainbot \(name) --dir D --token T --timeout-ms N [--state FILE] -- RESTORE-ARGV...\n")
            return .usage
        }
        let timeout = Duration.milliseconds(milliseconds)
        let outcome = await FirewallWatchdog.watch(
            directory: directory, token: token, timeout: timeout, restore: restore, runner: SpawnCommandRunner(),
            fileSystem: LocalFileSystem())
        let event: Event
        switch outcome {
        case .confirmed:
            return .success
        case .reverted:
            context.stdout.write("firewall-watchdog \(token): not confirmed in time; previous rules restored\n")
            event = Event(
                type: .warning, reason: .firewallReverted, regardingKind: Kind.firewall.rawValue,
                regardingName: "inet chainbot",
                message:
                    "the new firewall was not confirmed within \(DurationText.format(timeout)) (chainbot exited or hung before checking it); the previous rules were restored"
            )
        case .revertFailed(let error):
            context.stdout.write("firewall-watchdog \(token): restoring the previous rules failed: \(error)\n")
            event = Event(
                type: .warning, reason: .firewallRevertFailed, regardingKind: Kind.firewall.rawValue,
                regardingName: "inet chainbot",
                message: "the new firewall was not confirmed in time and restoring the previous rules failed: \(error)")
        }
        if let path = options["--state"] {
            do {
                let store = try SQLiteStateStore.open(path: path)
                try store.recordEvent(event, outboxPayload: nil)
            } catch {
                context.stdout.write("firewall-watchdog \(token): cannot record the event in \(path): \(error)\n")
            }
        }
        return outcome == .reverted ? .success : .failure
    }
}
