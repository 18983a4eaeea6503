import Glibc

/// A fresh directory under `$TMPDIR` (or `/tmp`), removed with everything in it when dropped.
final class TemporaryDirectory {
    let path: String

    init() throws(TestSetupError) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/chainbot-store-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw TestSetupError("mkdtemp in \(base)", errno: errno) }
        path = String(cString: created)
    }

    deinit {
        Self.removeTree(path)
    }

    /// Removes `path` and, for a directory, everything below it first; symlinks are removed, not followed.
    private static func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR, let stream = opendir(path) {
            var children: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { children.append(name) }
            }
            closedir(stream)
            children.forEach { removeTree("\(path)/\($0)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String { "\(path)/\(name)" }
}
