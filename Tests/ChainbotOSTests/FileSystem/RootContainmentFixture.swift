import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotOS

/// How a link inside the image root tries to point out of it.
enum EscapeLink: String, CaseIterable, CustomTestStringConvertible {
    /// `IMAGE/etc/app -> /…/outside` (the host's absolute path of OUTSIDE).
    case absolute
    /// `IMAGE/etc/app -> ../../outside` (climbing above the root).
    case relative

    var testDescription: String { rawValue }
}

/// A work directory with an image root and, beside it, an OUTSIDE tree that links in the image point at.
struct RootContainmentFixture {
    let work = TemporaryDirectory("chainbot-contain")
    let link: EscapeLink
    let strategy: RootResolver.Strategy

    var image: String { work.file("image") }
    var outside: String { work.file("outside") }
    /// What `IMAGE/etc/app` stores.
    var target: String { link == .absolute ? outside : "../../outside" }
    /// Where the target lands when read inside the image: absolute from the image root, `..` clamped there.
    var containedTarget: String { link == .absolute ? image + outside : image + "/outside" }
    var fileSystem: LocalFileSystem { LocalFileSystem(root: image, strategy: strategy) }

    init(_ link: EscapeLink, _ strategy: RootResolver.Strategy) {
        self.link = link
        self.strategy = strategy
        work.write("outside/secret", "outside secret\n")
        work.write("outside/passwd", "chainbot-outsider:x:4321:4321::/:/bin/sh\n")
        work.write("outside/group", "chainbot-outsider:x:4321:\n")
        work.write("outside/sub/deep.conf", "deep\n")
        chmod(outside + "/secret", 0o600)
        Glibc.symlink("/nowhere", outside + "/outlink")
        mkdir(image, 0o755)
        mkdir(image + "/etc", 0o755)
        Glibc.symlink(target, image + "/etc/app")
    }

    /// Every entry under OUTSIDE with its type, mode, owner and bytes or link target, to compare before and after.
    func outsideTree() -> [String] { Self.tree(outside, "") }

    private static func tree(_ root: String, _ relative: String) -> [String] {
        var status = stat()
        guard lstat(root + relative, &status) == 0 else { return ["\(relative): missing"] }
        let head = "\(relative) \(String(status.st_mode, radix: 8)) \(status.st_uid):\(status.st_gid)"
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            return [head] + Fixtures.list(root + relative, hidden: true).flatMap { tree(root, relative + "/" + $0) }
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: 4096)
            let count = readlink(root + relative, &buffer, buffer.count - 1)
            return [head + " -> " + String(decoding: buffer.prefix(max(count, 0)).map(UInt8.init), as: UTF8.self)]
        default:
            return [head + " " + (Fixtures.readText(root + relative) ?? "?")]
        }
    }
}

/// Every path-resolution strategy for an image root, each with each kind of escaping link.
let containmentCases: [(EscapeLink, RootResolver.Strategy)] = EscapeLink.allCases.flatMap { link in
    [RootResolver.Strategy.kernelInRoot, .walk].map { (link, $0) }
}
