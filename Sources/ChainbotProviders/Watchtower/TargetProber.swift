public import ChainbotCore
public import ChainbotHTTP

/// What one probe of a target found: whether it passed, and the evidence in words.
public struct ProbeResult: Sendable, Hashable {
    public var passed: Bool
    /// `GET http://127.0.0.1:8000/api/status/health: 503`, `connect 127.0.0.1:9000: refused`.
    public var evidence: String

    public init(passed: Bool, evidence: String) {
        self.passed = passed
        self.evidence = evidence
    }
}

/// Probes a WatchtowerTarget the way Watchtower would: an HTTP GET, a TCP connect, a systemd unit's
/// `ActiveState`, or a process in `/proc`. Every probe is bounded by the target's `timeout`.
public struct TargetProber: Sendable {
    /// The JSON `status` values read as healthy when a target does not name the one it expects.
    public static let healthyWords: Set<String> = ["ok", "healthy", "up", "pass", "passing", "running", "green"]

    let http: any HTTPTransport
    let tcp: any TCPConnector
    let runner: any CommandRunner
    let fileSystem: any HostFileSystem

    public init(
        http: any HTTPTransport, tcp: any TCPConnector, runner: any CommandRunner, fileSystem: any HostFileSystem
    ) {
        self.http = http
        self.tcp = tcp
        self.runner = runner
        self.fileSystem = fileSystem
    }

    public func probe(_ spec: WatchtowerTargetSpec) async -> ProbeResult {
        switch spec.type {
        case .http: await probeHTTP(spec)
        case .tcp: await probeTCP(spec)
        case .systemd: await probeUnit(spec)
        case .process: probeProcess(spec)
        }
    }

    /// `GET target`: the status must be the expected one, and a JSON body's `status` the expected word
    /// (or, when none is named, one of `healthyWords`; a body without a `status` passes on the code alone).
    func probeHTTP(_ spec: WatchtowerTargetSpec) async -> ProbeResult {
        var request = HTTPRequest(method: .get, url: spec.target, headers: ["Accept": "application/json"])
        request.timeout = spec.timeout
        let what = "GET \(spec.target)"
        let response: HTTPResponse
        do { response = try await http.send(request) } catch {
            return ProbeResult(passed: false, evidence: "\(what): \(error.message)")
        }
        guard response.status == spec.expectStatus else {
            let expected = spec.expectStatus == 200 ? "" : " (expected \(spec.expectStatus))"
            return ProbeResult(passed: false, evidence: "\(what): \(response.status)\(expected)")
        }
        let status = (try? response.jsonValue())?["status"]?.string
        if let expected = spec.expectJSONStatus {
            guard let status else {
                return ProbeResult(
                    passed: false, evidence: "\(what): \(response.status), no JSON status (expected \"\(expected)\")")
            }
            return ProbeResult(
                passed: status == expected,
                evidence: "\(what): \(response.status), status \"\(status)\""
                    + (status == expected ? "" : " (expected \"\(expected)\")"))
        }
        guard let status else { return ProbeResult(passed: true, evidence: "\(what): \(response.status)") }
        return ProbeResult(
            passed: Self.healthyWords.contains(status.lowercased()),
            evidence: "\(what): \(response.status), status \"\(status)\"")
    }

    /// Connects to `host:port` (`[v6]:port` for IPv6).
    func probeTCP(_ spec: WatchtowerTargetSpec) async -> ProbeResult {
        guard let (host, port) = Self.endpoint(spec.target) else {
            return ProbeResult(passed: false, evidence: "connect \(spec.target): not host:port")
        }
        if let problem = await tcp.connect(host: host, port: port, timeout: spec.timeout) {
            return ProbeResult(passed: false, evidence: "connect \(spec.target): \(problem)")
        }
        return ProbeResult(passed: true, evidence: "connect \(spec.target): open")
    }

    /// Runs `systemctl show --property=ActiveState UNIT`; only `active` passes.
    func probeUnit(_ spec: WatchtowerTargetSpec) async -> ProbeResult {
        let invocation = CommandInvocation(
            "systemctl", ["show", "--property=ActiveState", spec.target], timeout: spec.timeout)
        let result: CommandResult
        do { result = try await runner.run(invocation) } catch {
            return ProbeResult(passed: false, evidence: "systemd unit \(spec.target): \(error)")
        }
        let line = result.output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("ActiveState=") }
        guard result.succeeded, let line else {
            let why = result.errorOutput.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no ActiveState"
            return ProbeResult(passed: false, evidence: "systemd unit \(spec.target): \(invocation): \(why)")
        }
        let state = line.dropFirst("ActiveState=".count)
        return ProbeResult(passed: state == "active", evidence: "systemd unit \(spec.target): \(state)")
    }

    static func endpoint(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
