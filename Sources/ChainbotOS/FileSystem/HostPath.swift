import ChainbotCore

/// A host-absolute path, checked and mapped under a filesystem root.
///
/// The check comes before any disk access: a relative path, a `..` component or a NUL byte is refused,
/// so no path given to chainbot can climb out of its root by spelling. Empty and `.` components are
/// dropped (`/etc//./x` is `/etc/x`).
struct HostPath: Sendable, Hashable {
    /// The normalized host path, such as `/etc/chainbot/x.env`.
    let host: String
    /// The path on this machine's disk: the root joined with `host`.
    let disk: String
    /// The normalized components of `host`, without empty or `.` ones.
    let components: [String]
    /// The root `disk` is under, without a trailing slash ("" for "/").
    let rootPrefix: String

    /// Checks `path` and joins it under `root`; throws before touching the disk when `path` is unsafe.
    init(_ path: String, root: String) throws(ProviderError) {
        guard path.hasPrefix("/") else {
            throw ProviderError("refusing relative path '\(path)': host paths must be absolute")
        }
        guard !path.utf8.contains(0) else {
            throw ProviderError("refusing path with a NUL byte: '\(path)'")
        }
        var components: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                throw ProviderError("refusing path '\(path)': '..' components are not allowed")
            }
            components.append(String(component))
        }
        self.components = components
        self.rootPrefix = HostPath.trimmedRoot(root)
        self.host = "/" + components.joined(separator: "/")
        self.disk = rootPrefix + host
    }

    /// The disk path of the parent directory (the root itself for a top-level name).
    var parentDisk: String {
        let parent = components.dropLast().joined(separator: "/")
        return parent.isEmpty ? (rootPrefix.isEmpty ? "/" : rootPrefix) : rootPrefix + "/" + parent
    }

    /// The last component; empty for the root itself.
    var name: String { components.last ?? "" }

    /// The disk paths of every ancestor directory below the root, outermost first.
    var ancestorDisks: [String] {
        var paths: [String] = []
        var current = rootPrefix
        for component in components.dropLast() {
            current += "/" + component
            paths.append(current)
        }
        return paths
    }

    /// `root` without trailing slashes, so that joining adds exactly one.
    static func trimmedRoot(_ root: String) -> String {
        var trimmed = Substring(root)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
