import ChainbotCore
import ChainbotEngine
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import Glibc

/// `chainbot agent`: the controller that keeps the host converged (see `AgentRunner`).
enum AgentCommand {
    static let command = Command(
        name: "agent", summary: "keep the host converged: watch the manifests, resync, heal drift",
        usage:
            "chainbot agent [-f PATH]... [--state FILE] [--resync DURATION] [--prune] [--kind KIND] [--backoff-base D] [--backoff-max D] [--git-pull D [--git-branch NAME] [--git-remote URL]... [--git-verify]] [--listen HOST:PORT|off] [--token-file FILE] [--alexos-url URL] [--event-bus-url ws://HOST:PORT/PATH] [--config FILE]",
        help: """
            Runs until SIGTERM or SIGINT. Applies the manifests, then keeps applying them: every --resync
            (default 60s) it observes every resource and corrects drift; a change to the manifest files is
            applied within a second of the save (editors' atomic renames and `git checkout` included); a
            resource whose apply failed is retried with exponential backoff (1s doubling to 5m, with
            jitter). An invalid edit is reported (an event, the status, stderr) and the last good manifests
            stay in force. `chainbot.dev/drift: warn` resources are reported, not corrected;
            `chainbot suspend KIND/NAME --for 2h` holds one resource.

            Status for other shells: `chainbot status`, `chainbot get KIND/NAME`, `chainbot events`.
            Under systemd (Type=notify): READY=1 once the first pass is done, STATUS= lines, and WATCHDOG=1
            at half of WatchdogSec= while passes finish in time. SIGHUP reloads the manifests. SIGTERM
            finishes the pass in flight, flushes the state file and exits 0.

            One agent per state file; `chainbot apply` meanwhile waits for the agent's pass in flight.

            options:
              -f, --filename PATH   manifest file or directory (repeatable; default manifests/)
              --state FILE          state file (default /var/lib/chainbot/state.db as root)
              --resync DURATION     full resync interval (default 60s)
              --prune               remove resources chainbot created that left the manifests
              --git-pull DURATION   follow the upstream branch of the manifests' git work tree: every
                                    DURATION (±10 %) `git fetch` and `git merge --ff-only`; the
                                    generation is the commit; a branch that cannot fast-forward is
                                    reported (GitSyncFailed) and left alone
              --git-branch NAME     the remote branch to follow (default: the checked-out branch's
                                    upstream); canary hosts follow one, the rest another
              --git-remote URL      fetch from URL (repeatable, in order: the first that answers
                                    serves; a failing one is a GitRemoteFailed event); default: the
                                    upstream's remote
              --git-verify          apply only commits `git verify-commit` accepts; a refused commit
                                    is a GitVerifyFailed event, shown by status, and the work tree
                                    stays on the last good commit
              --git-allowed-signers FILE
                                    ssh-keygen allowed_signers file for SSH-signed commits (without
                                    it, git's own trust: the GPG keyring, gpg.ssh.* config)
              --backoff-base D, --backoff-max D
                                    retry a failed resource after D, doubling up to the maximum
                                    (default 1s and 5m, with 10 % jitter)
              --kind KIND           manage only resources of this kind
              --listen HOST:PORT    the local endpoint (default 127.0.0.1:9100; `off` for none):
                                    /healthz, /readyz, /metrics, /api/v1/{status,resources,events},
                                    /api/v1/events/stream (Server-Sent Events) and a status page at /
              --token-file FILE     require `Authorization: Bearer TOKEN` (all but /healthz); needed
                                    to listen on anything but loopback
              --alexos-url URL      ALEX OS for agents, events and health reports (or CHAINBOT_ALEXOS_URL)
              --event-bus-url URL   ALEX OS's event bus (ws:// only): publish every event on it too, and
                                    take reconcile_request messages for a resource
              --host NAME           this host's name for metadata.hostSelector (default: the
                                    configuration's host, else the kernel's host name)
              --label KEY=VALUE     one of this host's labels for hostSelector (repeatable; the
                                    configuration's labels: mapping)
              --config FILE         a YAML mapping of these long option names to values (default
                                    /etc/chainbot/config.yaml when it exists); options given here win;
                                    SIGHUP reads it again
            """,
        valued: EngineOptions.valued.merging([
            "--resync": "resync", "--config": "config", "--listen": "listen", "--token-file": "token-file",
            "--backoff-base": "backoff-base", "--backoff-max": "backoff-max", "--git-pull": "git-pull",
            "--git-branch": "git-branch", "--git-remote": "git-remotes", "--git-remotes": "git-remotes",
            "--git-allowed-signers": "git-allowed-signers", "--event-bus-url": "event-bus-url",
        ]) { $1 },
        switches: ["--prune": "prune", "--git-verify": "git-verify"], run: run)

    static func run(_ given: Arguments, _ context: CommandContext) async -> ExitCode {
        let arguments: Arguments
        let configuration: AgentRunner.Configuration
        switch parse(given, context) {
        case .success(let parsed): (arguments, configuration) = parsed
        case .failure(let error):
            context.stderr.write("chainbot agent: \(error.message)\n")
            return .usage
        }
        let options = configuration.options
        // Every usage check comes before the first file is created: a usage error leaves nothing behind.
        let listening: (host: String, port: Int, token: String?)?
        switch endpoint(arguments, context) {
        case .failure(let code): return code
        case .success(let parsed): listening = parsed
        }
        // One agent per state file, for as long as it runs.
        let agentLock: StateLock
        do {
            agentLock = try await StateLock.acquire(for: options.statePath, suffix: ".agent.lock", timeout: .zero)
        } catch {
            let holder = StateLock.holder(ofLockAt: options.statePath + ".agent.lock")
            context.stderr.write(
                "chainbot agent: another chainbot agent\(holder.map { " (pid \($0))" } ?? "") is running for "
                    + "\(options.statePath); stop it first (systemctl stop chainbot-agent)\n")
            return .failure
        }
        defer { withExtendedLifetime(agentLock) {} }
        guard let store = options.openStore(context) else { return .failure }
        try? store.setMeta(.agentPID, String(getpid()))
        try? store.setMeta(.agentStartedAt, String(Timestamp.now().millisecondsSinceEpoch))
        let metrics = AgentMetrics()
        let plans = StatusPagePlans()
        var server: HTTPServer?
        if let (host, port, token) = listening {
            do {
                server = try AgentEndpoint(
                    store: store, statePath: options.statePath, metrics: metrics, token: token, plans: plans
                ).start(host: host, port: port)
                context.stderr.write("chainbot agent: status on http://\(host):\(server?.port ?? port)/\n")
            } catch {
                context.stderr.write("chainbot agent: \(error.message)\n")
                return .failure
            }
        }
        let runner = AgentRunner(
            configuration: configuration, context: context, store: store, metrics: metrics,
            rereadConfiguration: { configurationFrom(given, context) }, plans: plans)
        let code = await runner.run()
        await server?.stop()
        return code
    }

    /// The command line over the configuration file, and the configuration it makes.
    static func parse(_ given: Arguments, _ context: CommandContext) -> Result<
        (Arguments, AgentRunner.Configuration), UsageError
    > {
        let arguments: Arguments
        switch withConfigFile(given, context) {
        case .success(let merged): arguments = merged
        case .failure(let error): return .failure(error)
        }
        let options: EngineOptions
        do { options = try EngineOptions(arguments, environment: context.environment, readsConfigFile: false) } catch {
            return .failure(error)
        }
        if options.root != nil {
            return .failure(
                UsageError(message: "--root is for preparing images offline; the agent runs on a live host"))
        }
        return timings(arguments, options).map { (arguments, $0) }
    }

    /// The configuration `given` and the configuration file amount to now, or nil (and a message on
    /// stderr) when they are broken: for SIGHUP, which keeps the running configuration then.
    static func configurationFrom(_ given: Arguments, _ context: CommandContext) -> AgentRunner.Configuration? {
        guard case .success(let arguments) = withConfigFile(given, context),
            let options = try? EngineOptions(arguments, environment: context.environment, readsConfigFile: false)
        else {
            context.stderr.write("chainbot agent: SIGHUP: the configuration is broken; keeping the running one\n")
            return nil
        }
        guard case .success(let configuration) = timings(arguments, options) else {
            context.stderr.write("chainbot agent: SIGHUP: the configuration is broken; keeping the running one\n")
            return nil
        }
        return configuration
    }

    /// The configuration from the options: resync, prune and the retry backoff.
    static func timings(_ arguments: Arguments, _ options: EngineOptions) -> Result<
        AgentRunner.Configuration, UsageError
    > {
        var configuration = AgentRunner.Configuration(options: options)
        func duration(_ name: String, atLeast minimum: Duration) -> Result<Duration?, UsageError> {
            guard let text = arguments.value(name) else { return .success(nil) }
            // At most a year, as in the manifests: longer ones overflow timers that count nanoseconds.
            guard let value = DurationText.parse(text), value >= minimum, value <= .seconds(365 * 86_400) else {
                return .failure(
                    UsageError(
                        message:
                            "--\(name) needs a duration of at least \(DurationText.format(minimum)) and at most 365d, like 30s or 5m"
                    ))
            }
            return .success(value)
        }
        switch (
            duration("resync", atLeast: .seconds(1)), duration("backoff-base", atLeast: .milliseconds(100)),
            duration("backoff-max", atLeast: .seconds(1))
        ) {
        case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
            return .failure(error)
        case (.success(let resync), .success(let base), .success(let maximum)):
            if let resync { configuration.controller.resync = resync }
            if let base { configuration.controller.backoff.base = base }
            if let maximum { configuration.controller.backoff.maximum = maximum }
            if configuration.controller.backoff.maximum < configuration.controller.backoff.base {
                return .failure(UsageError(message: "--backoff-max must not be below --backoff-base"))
            }
        }
        configuration.prune = arguments.has("prune")
        switch duration("git-pull", atLeast: .seconds(1)) {
        case .failure(let error): return .failure(error)
        case .success(let interval): configuration.controller.gitPull = interval
        }
        // `--git-verify` on the command line, `git-verify: true|false` in the configuration file.
        switch GitSourceSettings.from(
            branch: arguments.value("git-branch"), remotes: arguments.all("git-remotes"),
            verify: arguments.has("git-verify") ? "true" : arguments.value("git-verify"),
            allowedSigners: arguments.value("git-allowed-signers"), pulling: configuration.controller.gitPull != nil)
        {
        case .failure(let error): return .failure(error)
        case .success(let settings): configuration.git = settings
        }
        switch AgentEventBus.url(arguments) {
        case .failure(let error): return .failure(error)
        case .success(let url): configuration.eventBus = url
        }
        return .success(configuration)
    }

    /// Where to serve the local endpoint and with which token; nil for `--listen off`.
    static func endpoint(_ arguments: Arguments, _ context: CommandContext) -> Result<
        (host: String, port: Int, token: String?)?, ExitCode
    > {
        let listen = arguments.value("listen") ?? "127.0.0.1:9100"
        if listen == "off" { return .success(nil) }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            context.stderr.write("chainbot agent: --listen takes HOST:PORT (like 127.0.0.1:9100) or off\n")
            return .failure(.usage)
        }
        let host = String(listen[..<colon]).trimmingBrackets()
        var token: String?
        if let path = arguments.value("token-file") ?? context.environment["CHAINBOT_AGENT_TOKEN_FILE"] {
            switch TokenFile.read(path) {
            case .success(let text): token = text
            case .failure(let problem):
                context.stderr.write("chainbot agent: \(problem.message)\n")
                return .failure(problem.unreadable ? .failure : .usage)
            }
        }
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        if !loopback, token == nil {
            context.stderr.write(
                "chainbot agent: --listen \(listen) is reachable from the network; give a --token-file too (or listen on 127.0.0.1)\n"
            )
            return .failure(.usage)
        }
        return .success((host, port, token))
    }

    /// `given` over the configuration file's values (`--config`, `$CHAINBOT_CONFIG`, or the default file
    /// when it exists): every key, the agent's own settings too.
    static func withConfigFile(_ given: Arguments, _ context: CommandContext) -> Result<Arguments, UsageError> {
        ConfigFileOptions.merged(given, environment: context.environment)
    }

}

extension String {
    fileprivate func trimmingBrackets() -> String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
