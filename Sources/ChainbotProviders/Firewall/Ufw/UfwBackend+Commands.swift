import ChainbotCore

extension UfwBackend {
    /// Runs `ufw ARGUMENTS…` (`LC_ALL=C`, so its output is the English text chainbot reads); throws unless it
    /// exits with status 0, naming the command and quoting its output.
    @discardableResult
    func ufw(_ arguments: [String]) async throws(ProviderError) -> CommandResult {
        try await run(["ufw"] + arguments)
    }

    /// The bytes of `path` on the (possibly prefixed) host, by `cat PATH`.
    func read(_ path: String) async throws(ProviderError) -> [UInt8] {
        try await run(["cat", path]).standardOutput
    }

    /// Replaces the content of `path` in place (keeping its mode and owner, as ufw does), by `dd of=PATH`.
    func write(_ path: String, _ bytes: [UInt8]) async throws(ProviderError) {
        try await run(["dd", "of=\(path)", "status=none", "conv=fsync"], standardInput: bytes)
    }

    /// Turns `ufw` output that cannot be read into a `ProviderError` naming the command.
    func parsed<T>(
        _ result: CommandResult, from arguments: [String], _ parse: (String) throws(UfwParseError) -> T
    ) async throws(ProviderError) -> T {
        do {
            return try parse(result.output)
        } catch {
            throw ProviderError(
                "cannot read the output of \(CommandInvocation("ufw", arguments)): \(error)", detail: result.output,
                code: .invalidResponse)
        }
    }

    @discardableResult
    private func run(_ argv: [String], standardInput: [UInt8]? = nil) async throws(ProviderError) -> CommandResult {
        let full = prefix + argv
        let invocation = CommandInvocation(
            full[0], Array(full.dropFirst()), environment: ["LC_ALL": "C"], standardInput: standardInput,
            timeout: Self.timeout)
        let name = CommandInvocation(argv[0], Array(argv.dropFirst())).description
        let context = prefix.isEmpty ? "" : "command: \(invocation.description)\n"
        let result: CommandResult
        do {
            result = try await runner.run(invocation)
        } catch {
            if case .launchFailed = error, argv[0] == "ufw", prefix.isEmpty {
                throw ProviderError(
                    "ufw is not installed; apt-get install ufw", detail: "\(error)", code: .launchFailed)
            }
            throw ProviderError("\(name) failed: \(error)", detail: context, retryable: true, code: .init(error))
        }
        // 127: the shell or `env` under a prefix did not find the program.
        if result.termination == .exited(127), argv[0] == "ufw" {
            throw ProviderError(
                "ufw is not installed; apt-get install ufw", detail: context + result.errorOutput, code: .launchFailed)
        }
        guard result.succeeded else {
            let output = Self.trimmed(result.errorOutput + "\n" + result.output)
            let firstLine = output.split(separator: "\n").first.map(String.init) ?? "\(result.termination)"
            throw ProviderError(
                "\(name) failed: \(firstLine)", detail: context + output, retryable: true, code: .commandFailed)
        }
        return result
    }

    private static func trimmed(_ text: String) -> String {
        let isBlank: (Character) -> Bool = { $0.isWhitespace }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }
}
