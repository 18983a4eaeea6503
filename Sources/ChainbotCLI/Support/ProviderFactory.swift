import ChainbotCore
import ChainbotOS
import ChainbotProviders

/// Builds the providers for the live host (`root` nil) or an offline image root — the one place where
/// concrete providers are wired to their seams.
enum ProviderFactory {
    static func providers(
        root: String?, runner: some CommandRunner, watchtower: WatchtowerProvider.Settings? = nil
    ) -> [any Provider] {
        let host = LocalFileSystem(root: root ?? "/")
        // Sources and secrets live beside the manifests on this machine, never inside an image root.
        let local = LocalFileSystem()
        return [
            SystemdProvider(runner: runner, fileSystem: host, mode: root == nil ? .live : .offline),
            ConfigFileProvider(fileSystem: host, sources: local, secrets: SecretReader(fileSystem: local)),
            WatchtowerProvider(
                settings: watchtower ?? watchtowerSettings(targets: nil, root: root, environment: [:]),
                fileSystem: host,
                runner: runner),
        ]
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
