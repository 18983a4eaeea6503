import ChainbotCore
import Synchronization

/// An in-memory `HostFileSystem`: files, symbolic links and directories by host path.
final class FakeFileSystem: HostFileSystem {
    private struct State {
        var files: [String: (content: [UInt8], mode: UInt32)] = [:]
        var links: [String: String] = [:]
        var directories: Set<String> = []
        var touched: [String] = []
    }

    let root: String
    private let state = Mutex(State())

    init(root: String = "/", files: [String: String] = [:]) {
        self.root = root
        state.withLock { state in
            for (path, text) in files { state.files[path] = (Array(text.utf8), 0o644) }
        }
    }

    /// The text of a file, or nil.
    func text(_ path: String) -> String? {
        state.withLock { $0.files[path].map { String(decoding: $0.content, as: UTF8.self) } }
    }

    /// The permission bits a file was written with, or nil.
    func mode(_ path: String) -> UInt32? { state.withLock { $0.files[path]?.mode } }

    /// Puts a file in place (replacing a link there).
    func put(_ path: String, _ text: String) {
        state.withLock { state in
            state.links[path] = nil
            state.files[path] = (Array(text.utf8), 0o644)
        }
    }

    /// Marks a directory as existing (for `/run/systemd/system`, say).
    func makeDirectory(_ path: String) {
        _ = state.withLock { $0.directories.insert(path) }
    }

    /// Every path asked about or changed, in order.
    var touched: [String] { state.withLock { $0.touched } }

    /// Every file and link path, sorted.
    var paths: [String] { state.withLock { (Array($0.files.keys) + Array($0.links.keys)).sorted() } }

    /// Follows a link as `LocalFileSystem` does, and refuses one to `/dev/null` (a masked unit) as it does:
    /// not a regular file.
    func read(_ path: String) throws(ProviderError) -> [UInt8]? {
        let (content, device) = state.withLock { state -> ([UInt8]?, Bool) in
            state.touched.append(path)
            if let target = state.links[path] { return (state.files[target]?.content, target == "/dev/null") }
            return (state.files[path]?.content, false)
        }
        if device {
            throw ProviderError(
                "read \(path): not a regular file (a character device); chainbot reads only regular files")
        }
        return content
    }

    func info(_ path: String) throws(ProviderError) -> FileInfo? {
        state.withLock { state in
            state.touched.append(path)
            if state.links[path] != nil { return FileInfo(type: .symlink, mode: 0o777) }
            if let file = state.files[path] {
                return FileInfo(type: .regular, mode: file.mode, size: file.content.count)
            }
            let prefix = path + "/"
            let isDirectory =
                state.directories.contains(path) || state.files.keys.contains { $0.hasPrefix(prefix) }
                || state.links.keys.contains { $0.hasPrefix(prefix) }
            return isDirectory ? FileInfo(type: .directory, mode: 0o755) : nil
        }
    }

    func write(_ file: FileWrite) throws(ProviderError) {
        state.withLock { state in
            state.touched.append(file.path)
            state.links[file.path] = nil
            state.files[file.path] = (file.content, file.mode)
        }
    }

    func remove(_ path: String) throws(ProviderError) {
        state.withLock { state in
            state.touched.append(path)
            state.files[path] = nil
            state.links[path] = nil
        }
    }

    func list(_ directory: String) throws(ProviderError) -> [String] {
        let prefix = directory + "/"
        return state.withLock { state in
            state.touched.append(directory)
            let all = Array(state.files.keys) + Array(state.links.keys) + Array(state.directories)
            let names = all.filter { $0.hasPrefix(prefix) }.compactMap {
                $0.dropFirst(prefix.count).split(separator: "/").first
            }
            return Set(names.map(String.init)).sorted()
        }
    }

    func symlink(_ target: String, at path: String) throws(ProviderError) {
        state.withLock { state in
            state.touched.append(path)
            state.files[path] = nil
            state.links[path] = target
        }
    }

    func readLink(_ path: String) throws(ProviderError) -> String? {
        state.withLock { state in
            state.touched.append(path)
            return state.links[path]
        }
    }
}
