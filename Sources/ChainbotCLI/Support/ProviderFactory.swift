import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotProviders
import ChainbotStore

/// Builds the providers for the live host (`root` nil) or an offline image root — the one place where
/// concrete providers are wired to their seams.
enum ProviderFactory {
    /// `alexOS` nil: no ALEX OS configured, agents are reported `Unknown`.
    static func providers(
        root: String?, runner: some CommandRunner, alexOS: AlexOSEndpoints? = nil,
        transport: any HTTPTransport = HTTPClient()
    ) -> [any Provider] {
        let host = LocalFileSystem(root: root ?? "/")
        // Sources and secrets live beside the manifests on this machine, never inside an image root.
        let local = LocalFileSystem()
        return [
            SystemdProvider(runner: runner, fileSystem: host, mode: root == nil ? .live : .offline),
            ConfigFileProvider(fileSystem: host, sources: local, secrets: SecretReader(fileSystem: local)),
            AgentProvider(
                endpoints: alexOS, transport: transport, secrets: SecretReader(fileSystem: local),
                now: { Timestamp.now() }),
        ]
    }
}
