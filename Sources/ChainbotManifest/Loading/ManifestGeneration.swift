public import ChainbotCore

/// A manifest set's generation: the git commit of the manifests' work tree (with `-dirty` when they
/// have uncommitted changes), or, outside git, a hash of the files' paths and contents.
public enum ManifestGeneration {
    /// The generation of `files`, loaded from `paths`, asking `git` through `runner`.
    ///
    /// Uses git only when every path lies in the same work tree; anything else (no git, not a
    /// repository, paths in different repositories) falls back to the content hash.
    public static func compute(paths: [String], files: [ManifestFile], runner: some CommandRunner) async -> String {
        if let commit = await gitGeneration(paths: paths, runner: runner) { return commit }
        return contentHash(files)
    }

    /// `sha256:` and the first 12 hex digits of the hash of every file's path and bytes, in load order.
    public static func contentHash(_ files: [ManifestFile]) -> String {
        var hash = SHA256()
        for file in files {
            hash.update(Array(file.path.utf8) + [0])
            hash.update(Array(String(file.bytes.count).utf8) + [0])
            hash.update(file.bytes)
        }
        return "sha256:" + String(SHA256.hex(hash.finalize()).prefix(12))
    }

    static func gitGeneration(paths: [String], runner: some CommandRunner) async -> String? {
        var topLevel: String?
        for path in paths {
            let directory = isDirectory(path) ? path : ManifestLoader.directory(of: path)
            guard let root = await git(["-C", directory, "rev-parse", "--show-toplevel"], runner: runner),
                topLevel == nil || topLevel == root
            else { return nil }
            topLevel = root
        }
        guard let root = topLevel,
            let commit = await git(["-C", root, "rev-parse", "--verify", "HEAD"], runner: runner),
            commit.count == 40 || commit.count == 64
        else { return nil }
        let pathspecs = paths.map { absolute($0) }
        guard
            let status = await git(
                ["-C", root, "status", "--porcelain", "--untracked-files=all", "--"] + pathspecs, runner: runner)
        else { return nil }
        return status.isEmpty ? commit : commit + "-dirty"
    }

    /// Runs git and returns its trimmed output, or nil when it is missing or fails.
    private static func git(_ arguments: [String], runner: some CommandRunner) async -> String? {
        let invocation = CommandInvocation(
            "git", arguments, environment: ["GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"], timeout: .seconds(10))
        guard let result = try? await runner.run(invocation), result.succeeded else { return nil }
        var output = result.output
        while output.last?.isWhitespace == true { output.removeLast() }
        return output
    }

    private static func isDirectory(_ path: String) -> Bool {
        FileStatus.isDirectory(path)
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileStatus.currentDirectory() + "/" + path
    }
}
