import ChainbotCore
import Glibc

extension LocalFileSystem {
    /// Whether the user or group `name` exists: the live host's accounts, or the image's `/etc/passwd` and
    /// `/etc/group` under a root that has them; nil when that cannot be told (an image without its own
    /// account files, or a lookup that failed). Only the lookup reads the account file; the check before it
    /// looks whether the image has one (`lstat`).
    public func knowsAccount(_ name: String, group: Bool) -> Bool? {
        if !resolver.rootPrefix.isEmpty, (try? info(group ? "/etc/group" : "/etc/passwd")) ?? nil == nil {
            return nil
        }
        let accounts = AccountNames(fileSystem: self)
        do {
            return group ? try accounts.groupID(named: name) != nil : try accounts.userID(named: name) != nil
        } catch {
            return nil
        }
    }
}
