import ChainbotCore
import Glibc

/// The `nft` command, run through the command runner with argv; errors name the command and its output.
struct Nft: Sendable {
    let runner: any CommandRunner
    var executable = "nft"

    /// `nft -j list table inet chainbot`, parsed; nil when the table does not exist.
    func observe() async throws(ProviderError) -> NftRuleset? {
        guard let json = try await list(json: true) else { return nil }
        do {
            return try NftJSONParser.parse(json) ?? NftRuleset(policy: .accept, rules: [])
        } catch {
            throw ProviderError("nft -j list table inet chainbot: \(error)", code: .invalidResponse)
        }
    }

    /// The table as `nft list` prints it (an `nft -f` file), or nil when it does not exist.
    func list(json: Bool) async throws(ProviderError) -> String? {
        let arguments = (json ? ["-j"] : []) + ["list", "table", NftRuleset.family, NftRuleset.table]
        let result = try await run(arguments)
        if result.succeeded { return result.output }
        // nft's words for a missing table ("No such file or directory") are those of other failures too:
        // ask it which tables there are. A second run only when the first failed, never on a host that
        // has the table.
        if try await tableExists() == false { return nil }
        throw failure(arguments, result)
    }

    /// `nft -j list tables`: whether the kernel holds chainbot's table; nil when nft could not say.
    func tableExists() async throws(ProviderError) -> Bool? {
        let result = try await run(["-j", "list", "tables"])
        guard result.succeeded else { return nil }
        return try? NftTableList.contains(in: result.output)
    }

    /// `nft -f PATH`: one transaction; on failure nothing changed.
    func load(file path: String) async throws(ProviderError) {
        let result = try await run(["-f", path])
        guard result.succeeded else { throw failure(["-f", path], result) }
    }

    func run(_ arguments: [String]) async throws(ProviderError) -> CommandResult {
        let invocation = CommandInvocation(executable, arguments, timeout: .seconds(30))
        do {
            return try await runner.run(invocation)
        } catch {
            if case .launchFailed(_, let reason) = error, reason.errno == ENOENT {
                throw ProviderError(
                    "nft is not installed (\(invocation.description) could not start); install it with: apt-get install nftables",
                    code: .launchFailed)
            }
            throw ProviderError("\(invocation.description) failed: \(error)", retryable: true, code: .init(error))
        }
    }

    func failure(_ arguments: [String], _ result: CommandResult) -> ProviderError {
        let command = ([executable] + arguments).joined(separator: " ")
        let status: String =
            switch result.termination {
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        let output = HostText.trimmed(result.errorOutput + result.output)
        return ProviderError("\(command) failed (\(status))", detail: output, code: .commandFailed)
    }
}
