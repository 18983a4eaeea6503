import ChainbotCore
import Glibc

/// What the agent's git source follows and whom it trusts: `git-branch` (the remote branch to follow,
/// by default the checked-out branch's upstream), `git-remotes` (tried in order, the first that answers
/// serves; by default the upstream's remote), and `git-verify` with `git-allowed-signers` (a commit is
/// applied only when `git verify-commit` accepts it).
struct GitSourceSettings: Sendable, Equatable {
    var branch: String?
    var remotes: [String] = []
    var verify = false
    /// An SSH allowed-signers file, passed as `-c gpg.ssh.allowedSignersFile=PATH`; without it git
    /// checks with what it already honours (the GPG keyring of `GNUPGHOME` or `~/.gnupg`, git config).
    var allowedSigners: String?

    /// The settings the options name, or a usage error: each of them needs `--git-pull`, an allowed
    /// signers file must be a readable regular file, `--git-allowed-signers` needs `--git-verify`.
    static func from(
        branch: String?, remotes: [String], verify: String?, allowedSigners: String?, pulling: Bool
    ) -> Result<GitSourceSettings, UsageError> {
        var settings = GitSourceSettings(branch: branch, remotes: remotes, allowedSigners: allowedSigners)
        switch verify {
        case nil, "false": settings.verify = false
        case "true": settings.verify = true
        case let text?: return .failure(UsageError(message: "git-verify takes true or false, not '\(text)'"))
        }
        if settings != GitSourceSettings(), !pulling {
            return .failure(
                UsageError(message: "--git-branch, --git-remote and --git-verify need --git-pull INTERVAL"))
        }
        if let branch, !validBranch(branch) {
            return .failure(UsageError(message: "--git-branch '\(branch)' is not a branch name"))
        }
        if let remote = remotes.first(where: { $0.isEmpty || $0.hasPrefix("-") }) {
            return .failure(UsageError(message: "--git-remote '\(remote)' is not a git URL or path"))
        }
        if let allowedSigners {
            guard settings.verify else {
                return .failure(
                    UsageError(message: "--git-allowed-signers \(allowedSigners) needs --git-verify (git-verify: true)")
                )
            }
            var info = stat()
            guard stat(allowedSigners, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                access(allowedSigners, R_OK) == 0
            else {
                return .failure(
                    UsageError(
                        message:
                            "--git-allowed-signers \(allowedSigners): no such readable file (ssh-keygen's allowed_signers format)"
                    ))
            }
        }
        return .success(settings)
    }

    /// A name git would take as a branch (no option look-alikes, no ref syntax).
    private static func validBranch(_ name: String) -> Bool {
        let forbidden: Set<Character> = [" ", "~", "^", ":", "?", "*", "[", "\\", "\t", "\n"]
        return !name.isEmpty && !name.hasPrefix("-") && !name.hasPrefix("/") && !name.hasSuffix("/")
            && !name.hasSuffix(".lock") && !name.contains("..") && !name.contains("@{")
            && !name.contains(where: forbidden.contains)
    }

    /// `git` options that come before the subcommand for these settings.
    var configArguments: [String] {
        allowedSigners.map { ["-c", "gpg.ssh.allowedSignersFile=\($0)"] } ?? []
    }
}
