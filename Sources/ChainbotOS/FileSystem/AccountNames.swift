import Glibc

/// Resolves user and group names for a filesystem root: the host's accounts (NSS) on a live host, the
/// image's own `/etc/passwd` and `/etc/group` under an offline root that has them — an SD-card image
/// knows users (such as `alex`) the build machine does not, and their ids may differ.
struct AccountNames {
    let fileSystem: LocalFileSystem

    /// The image's `passwd` and `group` entries, when the root is an image that has `/etc/passwd` (read
    /// inside the root, like every other file there).
    private var imageEntries: (passwd: [(name: String, id: UInt32)], group: [(name: String, id: UInt32)])? {
        guard !fileSystem.resolver.rootPrefix.isEmpty else { return nil }
        guard let passwd = try? fileSystem.read("/etc/passwd") else { return nil }
        let group = (try? fileSystem.read("/etc/group")) ?? nil
        return (Self.entries(passwd), Self.entries(group ?? []))
    }

    func userID(named name: String) throws(SystemError) -> uid_t? {
        guard let image = imageEntries else { return try Accounts.userID(named: name) }
        return image.passwd.first { $0.name == name }.map { uid_t($0.id) }
    }

    func groupID(named name: String) throws(SystemError) -> gid_t? {
        guard let image = imageEntries else { return try Accounts.groupID(named: name) }
        return image.group.first { $0.name == name }.map { gid_t($0.id) }
    }

    func userName(of uid: uid_t) -> String? {
        guard let image = imageEntries else { return Accounts.userName(of: uid) }
        return image.passwd.first { $0.id == UInt32(uid) }?.name
    }

    func groupName(of gid: gid_t) -> String? {
        guard let image = imageEntries else { return Accounts.groupName(of: gid) }
        return image.group.first { $0.id == UInt32(gid) }?.name
    }

    /// `name:x:ID:...` lines of a passwd or group file (name and third field), skipping malformed ones.
    static func entries(_ bytes: [UInt8]) -> [(name: String, id: UInt32)] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, let id = UInt32(fields[2]) else { return nil }
            return (String(fields[0]), id)
        }
    }
}
