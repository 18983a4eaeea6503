import Glibc

/// Watching the host paths chainbot owns: each file through its parent directory, each owned directory
/// itself and through its parent. A directory that does not exist yet is watched through its nearest
/// existing ancestor and watched itself once created; one removed falls back to its ancestor again.
extension FileWatcher {
    /// Starts watching `ownedPaths` (files) and `directories` (every entry of them); `onChange` gets every
    /// path inotify names (the caller keeps those it owns), `onLost` a reason when events may have been
    /// missed (the queue overflowed).
    public convenience init(
        ownedPaths: [String], directories: [String], onChange: @escaping @Sendable (String) -> Void,
        onLost: @escaping @Sendable (String) -> Void
    ) throws(SystemError) {
        let wanted = Set(ownedPaths.map(Self.parent(of:)) + directories + directories.map(Self.parent(of:)))
        try self.init(wanted: wanted.sorted(), onLost: onLost)
        for directory in self.wanted { watchNearest(directory) }
        try start(onChange)
    }

    /// Watches `directory`, or its nearest existing ancestor when it does not exist. A folder made below
    /// that ancestor before its watch was in place sends no event, so it looks again until what it watches
    /// has no existing folder below it on the way (`mkdir -p` racing the watcher).
    func watchNearest(_ directory: String) {
        var previous: String?
        while true {
            var current = directory
            while !add(current) {
                let parent = Self.parent(of: current)
                if parent == current { return }
                current = parent
            }
            // Done at the wanted folder, or when a folder that exists cannot be watched (no progress).
            guard current != directory, current != previous else { return }
            previous = current
            let rest = directory.dropFirst(current == "/" ? 1 : current.count + 1)
            let next = (current == "/" ? "" : current) + "/" + (rest.split(separator: "/").first ?? "")
            var info = stat()
            guard stat(next, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        }
    }

    /// Keeps the watches on the wanted directories as they come and go.
    func followOwned(path: String, watch: Int32, mask: UInt32) {
        if mask & Self.ignored != 0 {
            // The watched directory is gone (removed, unmounted): watch what is left above what it served.
            let gone = directories.withLock { $0.removeValue(forKey: watch) }
            guard let gone else { return }
            for directory in wanted where directory == gone || directory.hasPrefix(gone + "/") {
                watchNearest(directory)
            }
            return
        }
        guard mask & Self.isDirectory != 0, mask & (Self.create | Self.movedTo) != 0 else { return }
        // A directory on the way to a wanted one appeared: watch down as far as exists now.
        for directory in wanted where directory == path || directory.hasPrefix(path + "/") {
            watchNearest(directory)
        }
    }
}
