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
    let maxFiles: Int
    private(set) var files: [ManifestFile] = []
    /// Set when `maxFiles` was exceeded: nothing more is read.
    private var stopped = false
    private(set) var diagnostics: [ManifestDiagnostic] = []
    private var seenFiles: Set<FileID> = []

    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(maxBytes: Int, maxFiles: Int) {
        self.maxBytes = maxBytes
        self.maxFiles = maxFiles
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
            if files.count == before, !stopped, !diagnostics.contains(where: { $0.location.file.hasPrefix(path) }) {
                fail(.noManifests, path, "no *.yaml or *.yml manifest files in \(path)")
            }
        } else {
            read(path)
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
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where !stopped {
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
                if (info.st_mode & S_IFMT) == S_IFREG {
                    read(path)
                } else if admitOneMore(path) {
                    // Never opened: a FIFO would block, a device would be read forever.
                    refuseNonRegular(path, type: RegularFile.typeName(info.st_mode))
                }
            }
        }
    }

    private mutating func read(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0,
            !seenFiles.insert(FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted
        {
            return  // The same file reached twice (a symlink beside its target): read it once.
        }
        guard admitOneMore(path) else { return }
        switch RegularFile.read(path, maxBytes: maxBytes) {
        case .success(let bytes):
            files.append(ManifestFile(path: path, bytes: bytes))
        case .failure(.system(let code)):
            fail(code == ELOOP ? .symlinkLoop : .ioError, path, "cannot read \(path): \(Self.describe(code))")
        case .failure(.notRegular(let type)):
            refuseNonRegular(path, type: type)
        case .failure(.tooLarge(let size?)):
            fail(
                .fileTooLarge, path,
                "\(path) is \(Self.megabytes(size)); manifests are limited to \(Self.megabytes(maxBytes))")
        case .failure(.tooLarge(nil)):
            fail(.fileTooLarge, path, "\(path) is larger than the \(Self.megabytes(maxBytes)) manifest limit")
        }
    }

    /// False once `maxFiles` files are read: the next one gets a diagnostic and nothing more is read.
    private mutating func admitOneMore(_ path: String) -> Bool {
        if stopped { return false }
        guard files.count < maxFiles else {
            stopped = true
            fail(
                .tooManyFiles, path,
                "more than \(maxFiles) manifest files; \(path) and the files after it were not read")
            return false
        }
        return true
    }

    private mutating func refuseNonRegular(_ path: String, type: String) {
        fail(.notARegularFile, path, "\(path) is \(type), not a regular file; only regular files are read")
    }

    private mutating func fail(_ code: DiagnosticCode, _ path: String, _ message: String) {
        diagnostics.append(.error(code, message, at: SourceLocation(file: path, line: 0, column: 0)))
    }

    static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    static func describe(_ code: Int32) -> String {
        RegularFile.describe(code)
    }

    static func megabytes(_ bytes: Int) -> String {
        // `bytes * 10` would overflow for a (sparse) file near Int.max bytes.
        guard bytes < Int.max / 16 else { return "\(bytes >> 20) MiB" }
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
