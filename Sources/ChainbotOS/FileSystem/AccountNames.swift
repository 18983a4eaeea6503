import Glibc

/// Resolves user and group names for a filesystem root: the host's accounts (NSS) on a live host, the
/// image's own `/etc/passwd` and `/etc/group` under an offline root that has them — an SD-card image
/// knows users (such as `alex`) the build machine does not, and their ids may differ.
struct AccountNames {
    let root: String

    /// The image's account files, when `root` is an image that has them.
    private var imageFiles: (passwd: String, group: String)? {
        guard root != "/" else { return nil }
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let files = (base + "/etc/passwd", base + "/etc/group")
        return access(files.0, R_OK) == 0 ? files : nil
    }

    func userID(named name: String) throws(SystemError) -> uid_t? {
        guard let files = imageFiles else { return try Accounts.userID(named: name) }
        return Self.entries(files.passwd).first { $0.name == name }.map { uid_t($0.id) }
    }

    func groupID(named name: String) throws(SystemError) -> gid_t? {
        guard let files = imageFiles else { return try Accounts.groupID(named: name) }
        return Self.entries(files.group).first { $0.name == name }.map { gid_t($0.id) }
    }

    func userName(of uid: uid_t) -> String? {
        guard let files = imageFiles else { return Accounts.userName(of: uid) }
        return Self.entries(files.passwd).first { $0.id == UInt32(uid) }?.name
    }

    func groupName(of gid: gid_t) -> String? {
        guard let files = imageFiles else { return Accounts.groupName(of: gid) }
        return Self.entries(files.group).first { $0.id == UInt32(gid) }?.name
    }

    /// `name:x:ID:...` lines of a passwd or group file (name and third field), skipping malformed ones.
    static func entries(_ path: String) -> [(name: String, id: UInt32)] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var out: [(String, UInt32)] = []
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)), as: UTF8.self)
            let fields = text.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, let id = UInt32(fields[2]) else { continue }
            out.append((String(fields[0]), id))
        }
        return out
    }
}
