import ChainbotCore
import Glibc

/// A `HostFileSystem` over a real directory: host path `/etc/x` is `ROOT/etc/x`. Just enough for tests
/// that run the real `systemctl --root=ROOT`.
struct DirectoryFileSystem: HostFileSystem {
    let root: String

    private func full(_ path: String) -> String { root + path }

    private func failure(_ operation: String, _ path: String) -> ProviderError {
        ProviderError("\(operation) \(path): \(String(cString: strerror(errno)))")
    }

    func read(_ path: String) throws(ProviderError) -> [UInt8]? {
        let fd = open(full(path), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw failure("read", path) }
            if count == 0 { return out }
            out += buffer[..<count]
        }
    }

    func info(_ path: String) throws(ProviderError) -> FileInfo? {
        var status = stat()
        guard lstat(full(path), &status) == 0 else {
            if errno == ENOENT { return nil }
            throw failure("lstat", path)
        }
        let type: FileInfo.FileType =
            switch status.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symlink
            default: .other
            }
        return FileInfo(type: type, mode: status.st_mode & 0o7777, size: Int(status.st_size))
    }

    func write(_ file: FileWrite) throws(ProviderError) {
        try makeParents(file.path)
        let temporary = full(file.path) + ".chainbot-tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file.mode)
        guard fd >= 0 else { throw failure("open", file.path) }
        let written = file.content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, file.mode)
        close(fd)
        guard written == file.content.count, Glibc.rename(temporary, full(file.path)) == 0 else {
            throw failure("write", file.path)
        }
    }

    func remove(_ path: String) throws(ProviderError) {
        if unlink(full(path)) != 0 && errno != ENOENT { throw failure("unlink", path) }
    }

    func list(_ directory: String) throws(ProviderError) -> [String] {
        guard let handle = opendir(full(directory)) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func symlink(_ target: String, at path: String) throws(ProviderError) {
        try makeParents(path)
        unlink(full(path))
        guard Glibc.symlink(target, full(path)) == 0 else { throw failure("symlink", path) }
    }

    func readLink(_ path: String) throws(ProviderError) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(full(path), &buffer, buffer.count)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func makeParents(_ path: String) throws(ProviderError) {
        var current = root
        for component in path.split(separator: "/").dropLast() {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw failure("mkdir", String(current)) }
        }
    }
}
