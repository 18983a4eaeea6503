import ChainbotCore
import Glibc

/// One manifest file as read from disk: the path as the user would name it and its bytes.
public struct ManifestFile: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// Finds and reads manifest files: given paths in order, directories walked in sorted order
/// (`*.yaml`/`*.yml`, dot-files skipped), symbolic-link loops and repeated files detected.
struct ManifestFiles {
    let maxBytes: Int
    private(set) var files: [ManifestFile] = []
    private(set) var diagnostics: [ManifestDiagnostic] = []
    private var seenFiles: Set<FileID> = []

    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    mutating func collect(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            fail(code == ELOOP ? .symlinkLoop : .ioError, path, "cannot read \(path): \(Self.describe(code))")
            return
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            let before = files.count
            walk(path, stack: [FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))])
            if files.count == before, !diagnostics.contains(where: { $0.location.file.hasPrefix(path) }) {
                fail(.noManifests, path, "no *.yaml or *.yml manifest files in \(path)")
            }
        } else {
            read(path, expectRegular: true)
        }
    }

    private mutating func walk(_ directory: String, stack: [FileID]) {
        guard let handle = opendir(directory) else {
            fail(.ioError, directory, "cannot read directory \(directory): \(Self.describe(errno))")
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else {
                let code = errno
                if code == ELOOP {
                    fail(.symlinkLoop, path, "\(path) is a symbolic-link loop")
                } else if Self.isManifestName(name) {
                    fail(.ioError, path, "cannot read \(path): \(Self.describe(code))")
                }
                continue
            }
            let id = FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if stack.contains(id) {
                    fail(
                        .symlinkLoop, path, "\(path) leads back to a directory already being read (symbolic-link loop)")
                } else {
                    walk(path, stack: stack + [id])
                }
            } else if Self.isManifestName(name) {
                read(path, expectRegular: true)
            }
        }
    }

    private mutating func read(_ path: String, expectRegular: Bool) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            fail(.ioError, path, "cannot read \(path): \(Self.describe(errno))")
            return
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            fail(.ioError, path, "cannot read \(path): \(Self.describe(errno))")
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            fail(.ioError, path, "\(path) is not a regular file")
            return
        }
        guard seenFiles.insert(FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted else {
            return  // The same file reached twice (a symlink beside its target): read it once.
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            fail(
                .fileTooLarge, path,
                "\(path) is \(Self.megabytes(size)); manifests are limited to \(Self.megabytes(maxBytes))")
            return
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file grew since fstat; read on in chunks, still bounded by the limit.
                guard bytes.count < maxBytes + 1 else { break }
                bytes += [UInt8](repeating: 0, count: min(65_536, maxBytes + 1 - bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                fail(.ioError, path, "cannot read \(path): \(Self.describe(errno))")
                return
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        guard bytes.count <= maxBytes else {
            fail(.fileTooLarge, path, "\(path) is larger than the \(Self.megabytes(maxBytes)) manifest limit")
            return
        }
        files.append(ManifestFile(path: path, bytes: bytes))
    }

    private mutating func fail(_ code: DiagnosticCode, _ path: String, _ message: String) {
        diagnostics.append(.error(code, message, at: SourceLocation(file: path, line: 0, column: 0)))
    }

    static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
