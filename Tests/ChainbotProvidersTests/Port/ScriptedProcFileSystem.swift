import ChainbotCore
import ChainbotOS
import Glibc
import Synchronization

/// A fixture tree read through `LocalFileSystem`, with scripted failures: directories whose listing is
/// refused (EACCES), links and files that cannot be read, and paths that are gone (a process that exited).
final class ScriptedProcFileSystem: HostFileSystem {
    let base: LocalFileSystem
    let deniedDirectories: Set<String>
    let deniedLinks: Set<String>
    let deniedReads: Set<String>
    let vanished: Set<String>
    private let log = Mutex<[String]>([])

    init(
        base: LocalFileSystem, deniedDirectories: Set<String> = [], deniedLinks: Set<String> = [],
        deniedReads: Set<String> = [], vanished: Set<String> = []
    ) {
        self.base = base
        self.deniedDirectories = deniedDirectories
        self.deniedLinks = deniedLinks
        self.deniedReads = deniedReads
        self.vanished = vanished
    }

    /// Every path read, in order.
    var reads: [String] { log.withLock { $0 } }

    var root: String { base.root }

    func read(_ path: String) throws(ProviderError) -> [UInt8]? {
        log.withLock { $0.append(path) }
        if deniedReads.contains(path) {
            throw ProviderError(SystemError("open", path: root + path, code: EACCES))
        }
        return try base.read(path)
    }

    func info(_ path: String) throws(ProviderError) -> FileInfo? {
        vanished.contains(path) ? nil : try base.info(path)
    }

    func list(_ directory: String) throws(ProviderError) -> [String] {
        if deniedDirectories.contains(directory) {
            throw ProviderError("opendir \(root)\(directory): Permission denied")
        }
        return try base.list(directory)
    }

    func readLink(_ path: String) throws(ProviderError) -> String? {
        if deniedLinks.contains(path) { throw ProviderError("readlink \(root)\(path): Permission denied") }
        return try base.readLink(path)
    }

    func write(_ file: FileWrite) throws(ProviderError) { throw ProviderError("read-only fixture") }
    func remove(_ path: String) throws(ProviderError) { throw ProviderError("read-only fixture") }
    func symlink(_ target: String, at path: String) throws(ProviderError) { throw ProviderError("read-only fixture") }
}
