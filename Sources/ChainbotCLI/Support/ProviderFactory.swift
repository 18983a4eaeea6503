import ChainbotCore
import ChainbotDelivery
import ChainbotHTTP
import ChainbotOS
import ChainbotProviders
import ChainbotStore
import Glibc

/// Builds the providers for the live host (`root` nil) or an offline image root — the one place where
/// concrete providers are wired to their seams.
enum ProviderFactory {
    /// `alexOS` nil: no ALEX OS configured, agents are reported `Unknown`.
    static func providers(
        root: String?, runner: some CommandRunner, watchtower: WatchtowerProvider.Settings? = nil,
        firewall: FirewallProvider.Settings? = nil, alexOS: AlexOSEndpoints? = nil,
        transport: any HTTPTransport = HTTPClient(), systemdReads: UnitReads = .systemctl
    ) -> [any Provider] {
        let host = LocalFileSystem(root: root ?? "/")
        // Sources live beside the manifests on this machine, never inside an image root; secrets live on
        // the host being configured (under --root, the image), where the Pi's own agent reads them too.
        let local = LocalFileSystem()
        let secrets = SecretReader(fileSystem: host, root: root)
        var providers: [any Provider] = [
            SystemdProvider(
                runner: runner, fileSystem: host, mode: root == nil ? .live : .offline,
                reads: root == nil ? systemdReads : .systemctl),
            ConfigFileProvider(fileSystem: host, sources: local, secrets: secrets),
            HostProvider(
                fileSystem: host, runner: runner, mode: root == nil ? .live : .offline,
                diskSpace: HostProvider.diskSpaceProbe(host)),
            WatchtowerProvider(
                settings: watchtower ?? watchtowerSettings(targets: nil, root: root, environment: [:]),
                fileSystem: host,
                runner: runner),
            AgentProvider(
                endpoints: alexOS, transport: transport, secrets: secrets,
                now: { Timestamp.now() }),
        ]
        // The firewall and listening sockets exist only on a live host, not in an image.
        if root == nil, let firewall {
            providers.append(
                FirewallProvider(
                    runner: runner, settings: firewall, launcher: DetachedLauncher(),
                    listeners: ListenerReader(fileSystem: host)))
        }
        return providers
    }

    /// Confirm-or-revert settings: files under `$CHAINBOT_RUNTIME_DIR` (default `/run/chainbot`), this
    /// very binary as the watchdog (in a systemd scope of its own when systemd runs the host, so that
    /// stopping the agent's service does not stop the watchdog), and the test-only confirm delay
    /// `CHAINBOT_FIREWALL_CONFIRM_DELAY_MS`.
    static func firewallSettings(statePath: String, force: Bool, environment: [String: String])
        -> FirewallProvider.Settings
    {
        let runtime = environment["CHAINBOT_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/chainbot"
        let delay = environment["CHAINBOT_FIREWALL_CONFIRM_DELAY_MS"].flatMap(Int.init).map(Duration.milliseconds)
        let executable = environment["CHAINBOT_WATCHDOG_EXECUTABLE"] ?? selfExecutable
        let direct = [executable, FirewallWatchdogCommand.name, "--state", statePath]
        var watchdog = [direct]
        if access("/run/systemd/system", F_OK) == 0, access("/usr/bin/systemd-run", X_OK) == 0, getuid() == 0 {
            watchdog.insert(["/usr/bin/systemd-run", "--scope", "--quiet", "--collect"] + direct, at: 0)
        }
        var settings = FirewallProvider.Settings(
            runtimeDirectory: runtime + "/firewall", runtimeFileSystem: LocalFileSystem(), watchdog: watchdog,
            force: force, confirmDelay: delay ?? .zero)
        settings.ufwRestore = [executable, FirewallWatchdogCommand.restoreUfw]
        return settings
    }

    /// The running binary's path (`/proc/self/exe`).
    static var selfExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/usr/local/bin/chainbot" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Watchtower's targets file from `--watchtower-targets`, else `$CHAINBOT_WATCHTOWER_TARGETS`, else the
    /// default; the reload argv from `$CHAINBOT_WATCHTOWER_RELOAD` (words split on spaces, no shell; empty:
    /// none). An offline image is neither reloaded nor probed.
    static func watchtowerSettings(targets: String?, root: String?, environment: [String: String])
        -> WatchtowerProvider.Settings
    {
        var settings = WatchtowerProvider.Settings()
        if let path = targets ?? environment["CHAINBOT_WATCHTOWER_TARGETS"], !path.isEmpty {
            settings.targetsPath = path
        }
        if let reload = environment["CHAINBOT_WATCHTOWER_RELOAD"] {
            settings.reload = reload.split(separator: " ").map(String.init)
        }
        if root != nil {
            settings.reload = []
            settings.probes = false
        }
        return settings
    }
}
