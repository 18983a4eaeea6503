import Glibc

/// User and group names and ids, looked up with the C library's reentrant calls (`getpwnam_r`,
/// `getgrgid_r`, …) so that NSS answers exactly as it does for `ls -l` and `chown`.
///
/// A lookup returns nil when the name or id is unknown and throws only when NSS itself failed.
enum Accounts {
    /// The uid of user `name`, or nil when there is no such user.
    static func userID(named name: String) throws(SystemError) -> uid_t? {
        try lookup("getpwnam_r", empty: passwd(), read: \.pw_uid) { entry, buffer, size, result in
            getpwnam_r(name, entry, buffer, size, result)
        }
    }

    /// The gid of group `name`, or nil when there is no such group.
    static func groupID(named name: String) throws(SystemError) -> gid_t? {
        try lookup("getgrnam_r", empty: group(), read: \.gr_gid) { entry, buffer, size, result in
            getgrnam_r(name, entry, buffer, size, result)
        }
    }

    /// The name of user `uid`, or nil when the host does not know it (or the lookup failed).
    static func userName(of uid: uid_t) -> String? {
        let name = try? lookup("getpwuid_r", empty: passwd(), read: { $0.pw_name.map { String(cString: $0) } }) {
            entry, buffer, size, result in getpwuid_r(uid, entry, buffer, size, result)
        }
        return name ?? nil
    }

    /// The name of group `gid`, or nil when the host does not know it (or the lookup failed).
    static func groupName(of gid: gid_t) -> String? {
        let name = try? lookup("getgrgid_r", empty: group(), read: { $0.gr_name.map { String(cString: $0) } }) {
            entry, buffer, size, result in getgrgid_r(gid, entry, buffer, size, result)
        }
        return name ?? nil
    }

    /// A `get*_r` call: entry to fill, string buffer, its size, where to store the found entry; returns 0 or an errno.
    private typealias LookupCall<Entry> = (
        UnsafeMutablePointer<Entry>, UnsafeMutablePointer<CChar>, Int,
        UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>
    ) -> Int32

    /// Calls a `get*_r` function with a buffer that grows on ERANGE, then reads the entry it filled.
    private static func lookup<Entry, Value>(
        _ operation: String, empty: Entry, read: (Entry) -> Value, _ call: LookupCall<Entry>
    ) throws(SystemError) -> Value? {
        var size = 1024
        while true {
            var entry = empty
            var found: UnsafeMutablePointer<Entry>? = nil
            var buffer = [CChar](repeating: 0, count: size)
            let code = buffer.withUnsafeMutableBufferPointer { storage -> Int32 in
                guard let base = storage.baseAddress else { return ENOMEM }
                return call(&entry, base, storage.count, &found)
            }
            switch code {
            case 0:
                // The entry's strings point into `buffer`, which is still alive here.
                return found == nil ? nil : withExtendedLifetime(buffer) { read(entry) }
            case ERANGE where size < 1 << 20:
                size *= 2
            case ENOENT, ESRCH, EBADF, EPERM:
                // getpwnam(3): these also mean "not found" on some NSS setups.
                return nil
            default:
                throw SystemError(operation, code: code)
            }
        }
    }
}
