import ChainbotCore
import ChainbotOS
import Glibc

/// The agent's optional git source (`--git-pull INTERVAL`): the manifests' work tree follows a branch of
/// a remote — `git fetch` of that branch (from the first of the remotes that answers), `git verify-commit`
/// when trust is required, then `git merge --ff-only` — and the files that changes set off the usual
/// reload (inotify), whose generation is the new commit. A commit that fails verification, a branch that
/// cannot fast-forward (local commits, a rewritten remote) or a failing fetch is reported and the work
/// tree stays on the last good commit.
struct GitSource: Sendable {
    /// The work tree's top level.
    let directory: String
    let runner: any CommandRunner
    var settings = GitSourceSettings()
    /// The checked-out branch's upstream remote and branch, when it has one.
    var upstream: (remote: String, branch: String)?
    /// The failed remotes and the one that served at the last pull (the agent reports changes only).
    var lastFallback: [String]?

    /// The remotes to fetch from, in order.
    var remotes: [String] { settings.remotes.isEmpty ? upstream.map { [$0.remote] } ?? [] : settings.remotes }
    /// The remote branch followed.
    var branch: String? { settings.branch ?? upstream?.branch }

    /// The work tree holding `path`, when it is in one that knows what to follow; else why not.
    static func find(
        for path: String, runner: any CommandRunner, settings: GitSourceSettings = GitSourceSettings()
    ) async -> Result<GitSource, GitSourceError> {
        var info = stat()
        let isDirectory = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let directory = isDirectory ? path : (parent.isEmpty ? "." : parent)
        guard let top = await git(["-C", directory, "rev-parse", "--show-toplevel"], runner: runner).success else {
            return .failure(GitSourceError("\(path) is not in a git work tree"))
        }
        var source = GitSource(directory: top, runner: runner, settings: settings)
        source.upstream = await upstream(of: top, runner: runner)
        if source.remotes.isEmpty {
            return .failure(
                GitSourceError(
                    "the branch checked out in \(top) has no upstream (git branch --set-upstream-to) and no --git-remote is given"
                ))
        }
        if source.branch == nil {
            return .failure(GitSourceError("\(top) has no upstream branch to follow; give --git-branch NAME"))
        }
        return .success(source)
    }

    /// The checked-out branch's `branch.NAME.remote` and `branch.NAME.merge` (without `refs/heads/`).
    private static func upstream(of top: String, runner: any CommandRunner) async -> (remote: String, branch: String)? {
        guard let name = await git(["-C", top, "symbolic-ref", "--quiet", "--short", "HEAD"], runner: runner).success,
            let remote = await git(["-C", top, "config", "--get", "branch.\(name).remote"], runner: runner).success,
            let merge = await git(["-C", top, "config", "--get", "branch.\(name).merge"], runner: runner).success
        else { return nil }
        return (remote, merge.hasPrefix("refs/heads/") ? String(merge.dropFirst("refs/heads/".count)) : merge)
    }

    /// Fetches, verifies and fast-forwards; `commit` is set when the work tree moved.
    func pull() async -> Result<GitPull, GitSourceError> {
        let before = await Self.git(["-C", directory, "rev-parse", "HEAD"], runner: runner).success
        var pulled: GitPull
        switch await fetch() {
        case .failure(let error): return .failure(error)
        case .success(let fetched): pulled = fetched
        }
        guard let target = pulled.fetched, target != before else { return .success(pulled) }
        if settings.verify {
            let verify = await Self.git(
                ["-C", directory] + settings.configArguments + ["verify-commit", target], runner: runner)
            if var error = verify.failure {
                if verify.silent { error = "the commit carries no signature" }
                let kept = before.map { "; the work tree stays on \($0.prefix(12))" } ?? ""
                return .failure(
                    GitSourceError(
                        "git verify-commit refused commit \(target.prefix(12)) of \(branch ?? "?") from \(pulled.servedBy)\(kept): \(error)",
                        reason: .gitVerifyFailed, served: pulled))
            }
        }
        let merge = await Self.git(["-C", directory, "merge", "--ff-only", "--quiet", target], runner: runner)
        if let error = merge.failure {
            return .failure(
                GitSourceError(
                    "cannot fast-forward \(directory) to \(branch ?? "its upstream") \(target.prefix(12)) (local commits or a rewritten remote?): \(error)",
                    served: pulled))
        }
        let after = await Self.git(["-C", directory, "rev-parse", "HEAD"], runner: runner).success
        pulled.commit = after != before ? after : nil
        return .success(pulled)
    }

    /// `git fetch REMOTE refs/heads/BRANCH` from each remote in turn until one answers.
    private func fetch() async -> Result<GitPull, GitSourceError> {
        guard let branch else { return .failure(GitSourceError("no branch to follow in \(directory)")) }
        var failures: [(remote: String, error: String)] = []
        for remote in remotes {
            let fetch = await Self.git(
                ["-C", directory, "fetch", "--quiet", "--no-tags", "--", remote, "refs/heads/\(branch)"],
                runner: runner, timeout: .seconds(120))
            if let error = fetch.failure {
                failures.append((Self.shown(remote), error))
                continue
            }
            let head = await Self.git(
                ["-C", directory, "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"], runner: runner)
            return .success(GitPull(servedBy: Self.shown(remote), failed: failures, fetched: head.success))
        }
        let each = failures.map { "\($0.remote): \($0.error)" }.joined(separator: "; ")
        return .failure(GitSourceError("git fetch of \(branch) in \(directory) failed from every remote: \(each)"))
    }

    /// `remote` for logs and events: the password of a `scheme://user:password@host` URL left out.
    static func shown(_ remote: String) -> String {
        guard let scheme = remote.firstRange(of: "://") else { return remote }
        let rest = remote[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return remote }
        let user = authority[..<at].prefix { $0 != ":" }
        return remote[..<scheme.upperBound] + user + "@" + rest[rest.index(after: at)...]
    }

    struct Outcome {
        var success: String?
        var failure: String?
        /// The command failed without a word on stderr or stdout.
        var silent = false
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
            if result.succeeded { return Outcome(success: text) }
            return Outcome(failure: text.isEmpty ? "\(result.termination)" : text, silent: text.isEmpty)
        } catch {
            return Outcome(failure: "\(error)")
        }
    }
}

/// What one pull did: the remote that served, those that failed before it, the commit fetched and the
/// commit the work tree moved to (nil when it was up to date).
struct GitPull: Sendable {
    var servedBy: String
    var failed: [(remote: String, error: String)] = []
    var fetched: String?
    var commit: String?

    /// "REMOTE failed (why); REMOTE served", when a remote before the serving one failed.
    var fallback: String? {
        guard !failed.isEmpty else { return nil }
        let each = failed.map { "git fetch from \($0.remote) failed (\($0.error))" }.joined(separator: "; ")
        return each + "; \(servedBy) served"
    }
}

/// Why the git source cannot follow its branch; `reason` is the event's.
struct GitSourceError: Error, CustomStringConvertible {
    var description: String
    var reason: Event.Reason = .gitSyncFailed
    /// The fetch that succeeded before a later step refused, when one did.
    var served: GitPull?
    init(_ description: String, reason: Event.Reason = .gitSyncFailed, served: GitPull? = nil) {
        self.description = description
        self.reason = reason
        self.served = served
    }
}
