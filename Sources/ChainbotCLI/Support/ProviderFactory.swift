import ChainbotCore
import ChainbotOS
import ChainbotProviders

/// Builds the providers for the live host (`root` nil) or an offline image root — the one place where
/// concrete providers are wired to their seams.
enum ProviderFactory {
    static func providers(root: String?, runner: some CommandRunner) -> [any Provider] {
        []
    }
}
