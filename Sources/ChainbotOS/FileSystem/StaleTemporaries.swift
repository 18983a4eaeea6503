import Glibc

/// Removes the temporary files and links (`.NAME.chainbot-XXXXXX`) that a chainbot killed between writing
/// and renaming left beside NAME, before chainbot writes, links or removes NAME again.
///
/// Only NAME's own leftovers go: the exact name shape `TemporaryName` makes for NAME, in the directory
/// already resolved inside the root, nothing followed. A temporary file is removed only when no writer
/// holds it: every writer keeps an exclusive `flock` on its temporary file until the rename (see
/// `LocalFileSystem.write`), and the kernel drops that lock when the writer dies, so a file whose lock
/// can be taken is a dead writer's. A temporary link cannot be locked: it is removed once it is older
/// than `linkAge` (a live writer renames it microseconds after making it). Directories and other types
/// stay. Removal is best effort: a leftover that cannot be removed never fails the write.
enum StaleTemporaries {
    /// How old a temporary link must be before it counts as a dead writer's.
    static let linkAge: Int = 60

    /// Removes NAME's stale temporaries in `directory`; returns the names it removed.
    @discardableResult
    static func remove(beside name: String, in directory: OpenDirectory) -> [String] {
        var removed: [String] = []
        for candidate in names(in: directory) where TemporaryName.isTemporary(candidate, for: name) {
            var status = stat()
            guard fstatat(directory.fd, candidate, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                if removeUnlockedFile(candidate, in: directory) { removed.append(candidate) }
            case S_IFLNK:
                let age = time(nil) - status.st_mtim.tv_sec
                if age >= linkAge, unlinkat(directory.fd, candidate, 0) == 0 { removed.append(candidate) }
            default:
                continue
            }
        }
        return removed
    }

    /// Removes the regular file `candidate` when its lock can be taken and the name still refers to
    /// the file that was locked.
    private static func removeUnlockedFile(_ candidate: String, in directory: OpenDirectory) -> Bool {
        let fd = openat(directory.fd, candidate, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else { return false }
        // A live writer holds it: leave it.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        var named = stat()
        guard fstatat(directory.fd, candidate, &named, AT_SYMLINK_NOFOLLOW) == 0,
            named.st_dev == opened.st_dev, named.st_ino == opened.st_ino
        else { return false }
        return unlinkat(directory.fd, candidate, 0) == 0
    }

    /// The names in `directory` (best effort: an unreadable directory has none).
    private static func names(in directory: OpenDirectory) -> [String] {
        let fd = openat(directory.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        guard let handle = fdopendir(fd) else {
            close(fd)
            return []
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }
}
