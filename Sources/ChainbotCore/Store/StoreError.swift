/// A failure of the state store, with the state file it concerns and the SQL it was running.
///
/// Bound values never appear here: they may hold secrets. Only the statement text does, with its `?`
/// placeholders.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The file or its directory cannot be opened or created.
        case cannotOpen
        /// The file exists but is not a SQLite database.
        case notADatabase
        /// The database is damaged.
        case corrupt
        /// Another connection held the lock for longer than the busy timeout; trying again later may work.
        case busy
        /// The file or its filesystem is read-only.
        case readOnly
        /// A writer was killed mid-write (a hot rollback journal, a write-ahead log to recover), and a
        /// read-only open cannot repair that; the next writing open (`apply`, the agent) does.
        case interruptedWrite
        /// The disk or the filesystem is full.
        case full
        /// Reading or writing the file failed at the operating-system level.
        case io
        /// A constraint (unique key, foreign key, not null, check) rejected a write.
        case constraint
        /// The file was written by a newer chainbot with a schema this one does not know.
        case schemaTooNew
        /// The file was written by an older chainbot and lacks what this one reads; `apply` upgrades it.
        case schemaTooOld
        /// The file is another application's database (its `application_id` or tables are not chainbot's).
        case notChainbot
        /// A record the operation names does not exist.
        case notFound
        /// A stored value does not have the type or form the store expects.
        case invalidData
        /// Anything else, including misuse of the SQLite API.
        case other
    }

    public var code: Code
    /// What happened, for people: SQLite's own message (`sqlite3_errmsg`) or the store's.
    public var message: String
    /// The SQL statement that failed, with placeholders and without bound values; nil when none was running.
    public var statement: String?
    /// The path of the state file, or `:memory:` for an in-memory database.
    public var path: String
    /// The SQLite extended result code, when the failure came from SQLite.
    public var resultCode: Int32?

    public init(code: Code, message: String, statement: String? = nil, path: String, resultCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.statement = statement
        self.path = path
        self.resultCode = resultCode
    }

    /// True when the same operation may succeed if tried again later.
    public var isRetryable: Bool { code == .busy }

    /// `state file PATH`, or `in-memory state database`.
    public var subject: String {
        path.isEmpty || path == ":memory:" ? "in-memory state database" : "state file \(path)"
    }

    /// One line naming the state file, the problem and (unless the file itself is the problem) the
    /// statement, e.g.
    /// `state file /var/lib/chainbot/state.db is not a SQLite database (file is not a database)`.
    public var description: String {
        let head =
            switch code {
            case .cannotOpen: "cannot open \(subject): \(message)"
            case .notADatabase: "\(subject) is not a SQLite database (\(message))"
            case .corrupt: "\(subject) is corrupt (\(message))"
            case .busy: "\(subject) is locked by another writer (\(message))"
            case .schemaTooNew, .schemaTooOld: "\(subject) \(message)"
            case .notChainbot: "\(subject) is not a chainbot state file (\(message)); nothing was changed"
            case .interruptedWrite:
                "\(subject) was left mid-write by a process that was killed, which a read-only command cannot "
                    + "repair; run chainbot apply (or start the agent) once, which does (\(message))"
            default: "\(subject): \(message)"
            }
        // When the file itself is the problem, the statement that found out is noise.
        let fileProblems: Set<Code> = [
            .cannotOpen, .notADatabase, .corrupt, .busy, .schemaTooNew, .schemaTooOld, .notChainbot,
            .interruptedWrite,
        ]
        guard let statement, !fileProblems.contains(code) else { return head }
        return head + " in `" + statement.split(whereSeparator: \.isWhitespace).joined(separator: " ") + "`"
    }
}
