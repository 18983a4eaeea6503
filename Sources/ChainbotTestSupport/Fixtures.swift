import Glibc

/// Finds the repository's own folders (fixtures, manifests) and `../shared` beside the checkout.
public enum Fixtures {
    /// The package root, found from this source file's path (Sources/ChainbotTestSupport/Fixtures.swift).
    public static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    public static func path(_ relative: String) -> String { packageRoot + "/" + relative }

    /// `../shared/RELATIVE` beside the checkout, or nil when it is not there (the test must say so and skip).
    public static func shared(_ relative: String) -> String? {
        let path = packageRoot + "/../shared/" + relative
        return exists(path) ? path : nil
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The names in a directory, sorted, without `.` and `..` (and without other dot-files unless asked).
    public static func list(_ directory: String, hidden: Bool = false) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != "..", hidden || !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            out += buffer[..<count]
        }
        return out
    }

    public static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    @discardableResult
    public static func write(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    @discardableResult
    public static func write(_ path: String, _ text: String) -> Bool { write(path, Array(text.utf8)) }
}

/// A fresh directory under `$TMPDIR` (or /tmp), removed with everything in it when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "chainbot-test") {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        path = created ?? "\(base)/\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if created == nil { mkdir(path, 0o700) }
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` (creating parent folders) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let full = file(name)
        var parent = ""
        for component in name.split(separator: "/").dropLast() {
            parent += "/" + component
            mkdir(path + parent, 0o755)
        }
        Fixtures.write(full, text)
        return full
    }

    deinit {
        Self.remove(path)
    }

    /// Removes `path` recursively without following symbolic links.
    public static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in Fixtures.list(path, hidden: true) { remove(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
