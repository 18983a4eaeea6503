internal import CSQLite
import ChainbotCore
internal import Glibc

extension StoreError.Code {
    /// The code for a SQLite result code (primary or extended).
    init(sqliteResultCode resultCode: Int32) {
        // SQLITE_READONLY_RECOVERY (264) and SQLITE_READONLY_ROLLBACK (776): a read-only connection found a
        // write-ahead log to recover or a hot journal to roll back.
        if resultCode == 264 || resultCode == 776 {
            self = .interruptedWrite
            return
        }
        self =
            switch resultCode & 0xff {
            case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH: .cannotOpen
            case SQLITE_NOTADB: .notADatabase
            case SQLITE_CORRUPT: .corrupt
            case SQLITE_BUSY, SQLITE_LOCKED: .busy
            case SQLITE_READONLY: .readOnly
            case SQLITE_FULL: .full
            case SQLITE_IOERR: .io
            case SQLITE_CONSTRAINT: .constraint
            case SQLITE_MISMATCH, SQLITE_RANGE, SQLITE_TOOBIG: .invalidData
            default: .other
            }
    }
}

extension StoreError {
    /// The error SQLite reported on `handle` for `resultCode`, with the OS error when there is one.
    ///
    /// The message comes from `sqlite3_errmsg`, which never contains bound values.
    static func sqlite(
        _ resultCode: Int32, handle: OpaquePointer?, statement: String?, path: String, busyTimeoutMilliseconds: Int32
    ) -> StoreError {
        var message =
            if let handle, let text = sqlite3_errmsg(handle) {
                String(cString: text)
            } else {
                String(cString: sqlite3_errstr(resultCode))
            }
        let code = Code(sqliteResultCode: resultCode)
        switch code {
        case .busy:
            // Not "waited N ms": SQLite returns busy at once when waiting could only deadlock.
            message += "; busy timeout \(busyTimeoutMilliseconds) ms"
        case .cannotOpen, .io, .readOnly, .full:
            if let handle, case let osError = sqlite3_system_errno(handle), osError != 0 {
                message += " (\(String(cString: strerror(osError))))"
            }
        default:
            break
        }
        return StoreError(code: code, message: message, statement: statement, path: path, resultCode: resultCode)
    }
}

extension StoreError {
    /// A read-only open of a file whose schema version `found` is below `expected`, at a statement that
    /// needs what the newer schema adds.
    static func schemaTooOld(found: Int, expected: Int, path: String) -> StoreError {
        StoreError(
            code: .schemaTooOld,
            message: "has schema version \(found), older than this chainbot's \(expected): "
                + "run chainbot apply to upgrade \(path)",
            path: path)
    }
}
