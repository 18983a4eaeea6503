import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// A real git world in a temporary directory: a bare remote, an author's clone, SSH signing keys, and
/// git run with `HOME` in the directory (the user's git configuration is never read or written).
struct GitFleetRepository {
    let directory = TemporaryDirectory()
    var remote: String { directory.file("remote.git") }
    var author: String { directory.file("author") }
    var home: String { directory.file("home") }
    var environment: [String: String] { ["HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"] }
    let spawn = SpawnCommandRunner()

    init() async throws {
        _ = directory.write("home/.keep", "")
        try await run("git", ["-c", "init.defaultBranch=main", "init", "--quiet", "--bare", remote])
        try await run("git", ["clone", "--quiet", remote, author])
        try await run("git", ["-C", author, "checkout", "--quiet", "-b", "main"])
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await spawn.run(CommandInvocation(executable, arguments, environment: environment))
        try #require(result.succeeded, "\(executable) \(arguments): \(result.errorOutput)")
        return String(result.output.reversed().drop { $0 == "\n" }.reversed())
    }

    /// git in `directory` as a test author, with `options` before the subcommand.
    @discardableResult
    func git(_ arguments: [String], in directory: String, options: [String] = []) async throws -> String {
        try await run(
            "git",
            ["-C", directory, "-c", "user.name=test", "-c", "user.email=test@example.invalid"] + options + arguments)
    }

    /// A new ed25519 key `name` (and `name.pub`); its allowed_signers line.
    func key(_ name: String) async throws -> String {
        try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", directory.file(name)])
        let key = Fixtures.readText(directory.file(name + ".pub")) ?? ""
        return "test@example.invalid namespaces=\"git\" " + key
    }

    /// Git's options for signing with the key `name` through `ssh-keygen -Y sign`.
    func signing(_ name: String) -> [String] {
        ["-c", "gpg.format=ssh", "-c", "user.signingKey=\(directory.file(name + ".pub"))", "-c", "commit.gpgSign=true"]
    }

    /// Commits a ConfigFile manifest writing `text` to `target` on `branch` (signed by `key`, if given)
    /// and pushes it; returns the commit.
    @discardableResult
    func push(_ text: String, target: String, branch: String = "main", signedBy key: String? = nil) async throws
        -> String
    {
        _ = directory.write(
            "author/manifests/note.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: note}
            spec: {path: \(target), content: "\(text)\\n"}
            """)
        try await git(["add", "."], in: author)
        try await git(["commit", "--quiet", "-m", text], in: author, options: key.map(signing) ?? [])
        try await git(["push", "--quiet", "origin", "HEAD:refs/heads/\(branch)"], in: author)
        return try await git(["rev-parse", "HEAD"], in: author)
    }

    /// A clone of the remote at `name` (a Pi's work tree).
    func clone(_ name: String) async throws -> String {
        try await run("git", ["clone", "--quiet", remote, directory.file(name)])
        return directory.file(name)
    }
}

/// A command runner that runs git with the test's `HOME`, as the agent would under its own.
struct IsolatedGitRunner: CommandRunner {
    let environment: [String: String]
    let inner = SpawnCommandRunner()

    func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        var invocation = invocation
        invocation.environment = (invocation.environment ?? [:]).merging(environment) { $1 }
        return try await inner.run(invocation)
    }
}
