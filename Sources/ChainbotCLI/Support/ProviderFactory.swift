import ChainbotCore
import ChainbotOS
import ChainbotProviders

/// Builds the providers for the live host (`root` nil) or an offline image root — the one place where
/// concrete providers are wired to their seams.
enum ProviderFactory {
    static func providers(root: String?, runner: some CommandRunner) -> [any Provider] {
        let host = LocalFileSystem(root: root ?? "/")
        // Sources and secrets live beside the manifests on this machine, never inside an image root.
        let local = LocalFileSystem()
        return [
            SystemdProvider(runner: runner, fileSystem: host, mode: root == nil ? .live : .offline),
            ConfigFileProvider(fileSystem: host, sources: local, secrets: SecretReader(fileSystem: local)),
            HostProvider(
                fileSystem: host, runner: runner, mode: root == nil ? .live : .offline,
                diskSpace: HostProvider.statvfsProbe()),
        ]
    }
}
