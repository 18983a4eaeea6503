import ChainbotCore
import ChainbotOS
import Glibc

/// The agent's optional git source (`--git-pull INTERVAL`): the manifests' work tree follows its upstream
/// branch — `git fetch`, then `git merge --ff-only @{upstream}` — and the files that changes set off
/// the usual reload (inotify), whose generation is the new commit. A branch that cannot fast-forward
/// (local commits, a rewritten remote) or a failing fetch is reported and left as it is.
struct GitSource: Sendable {
    /// The work tree's top level.
    let directory: String
    let runner: any CommandRunner

    /// The work tree holding `path`, when it is in one with an upstream branch; else why not.
    static func find(for path: String, runner: any CommandRunner) async -> Result<GitSource, GitSourceError> {
        var info = stat()
        let isDirectory = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let directory = isDirectory ? path : (parent.isEmpty ? "." : parent)
        guard let top = await git(["-C", directory, "rev-parse", "--show-toplevel"], runner: runner).success else {
            return .failure(GitSourceError("\(path) is not in a git work tree"))
        }
        guard
            await git(["-C", top, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], runner: runner)
                .success != nil
        else {
            return .failure(
                GitSourceError("the branch checked out in \(top) has no upstream (git branch --set-upstream-to)"))
        }
        return .success(GitSource(directory: top, runner: runner))
    }

    /// Fetches and fast-forwards; returns the new commit when it moved, nil when already up to date.
    func pull() async -> Result<String?, GitSourceError> {
        let before = await Self.git(["-C", directory, "rev-parse", "HEAD"], runner: runner).success
        let fetch = await Self.git(["-C", directory, "fetch", "--quiet"], runner: runner, timeout: .seconds(120))
        if let error = fetch.failure { return .failure(GitSourceError("git fetch in \(directory) failed: \(error)")) }
        let merge = await Self.git(["-C", directory, "merge", "--ff-only", "--quiet", "@{upstream}"], runner: runner)
        if let error = merge.failure {
            return .failure(
                GitSourceError(
                    "cannot fast-forward \(directory) to its upstream (local commits or a rewritten remote?): \(error)")
            )
        }
        let after = await Self.git(["-C", directory, "rev-parse", "HEAD"], runner: runner).success
        return .success(after != before ? after : nil)
    }

    struct Outcome {
        var success: String?
        var failure: String?
    }

    static func git(_ arguments: [String], runner: any CommandRunner, timeout: Duration = .seconds(30)) async
        -> Outcome
    {
        // No terminal prompts for credentials: an agent has no one to answer them.
        let invocation = CommandInvocation(
            "git", arguments, environment: ["GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"], timeout: timeout)
        do {
            let result = try await runner.run(invocation)
            let raw = result.succeeded ? result.output : result.errorOutput + result.output
            let text = String(raw.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            return result.succeeded ? Outcome(success: text) : Outcome(failure: text.isEmpty ? "exit status" : text)
        } catch {
            return Outcome(failure: "\(error)")
        }
    }
}

/// Why the git source cannot follow its upstream.
struct GitSourceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
