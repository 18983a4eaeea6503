internal import Glibc

extension SQLiteDatabase {
    /// How a read-only open reads the file at a path: the `file:` URI with `mode=ro`, plus `immutable=1`
    /// when nothing can change the file (a read-only filesystem, or an unwritable directory with no `-shm`
    /// of a live writer), where SQLite would otherwise fail to create the `-shm` a write-ahead-logged file
    /// needs.
    ///
    /// An immutable open reads the database file alone: a `-wal` beside it, left by a writer that did not
    /// finish (killed, or the filesystem remounted read-only under it), is not read, so its commits are
    /// missing from what the connection sees. `ignoredWriteAheadLog` names that file so callers can say so.
    struct ReadOnlyOpening {
        /// The URI handed to `sqlite3_open_v2` with `SQLITE_OPEN_URI`.
        let uri: String
        /// `PATH-wal` when the open is immutable and that file holds at least one frame.
        let ignoredWriteAheadLog: String?

        /// A write-ahead log's header is 32 bytes; anything longer holds frames.
        static let walHeaderSize = 32

        init(path: String) {
            var escaped = ""
            for character in path {
                switch character {
                case "%": escaped += "%25"
                case "?": escaped += "%3f"
                case "#": escaped += "%23"
                default: escaped.append(character)
                }
            }
            let directory =
                path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            var status = statvfs()
            let readOnlyFileSystem = statvfs(directory, &status) == 0 && status.f_flag & UInt(ST_RDONLY) != 0
            let unwritable = access(directory, W_OK) != 0 && access(path + "-shm", F_OK) != 0
            let immutable = readOnlyFileSystem || unwritable
            uri = "file:" + escaped + (immutable ? "?mode=ro&immutable=1" : "?mode=ro")
            var log = stat()
            let hasFrames = stat(path + "-wal", &log) == 0 && Int(log.st_size) > Self.walHeaderSize
            ignoredWriteAheadLog = immutable && hasFrames ? path + "-wal" : nil
        }
    }
}
