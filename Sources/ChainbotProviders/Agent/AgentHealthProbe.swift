import ChainbotCore
import ChainbotHTTP

/// An agent's health: the registry's view of it, then what its own health endpoint says in the JSON
/// `status` (ALEX OS services answer HTTP 200 even when unhealthy, so the code alone proves nothing).
struct AgentHealthProbe: Sendable {
    let transport: any HTTPTransport
    let timeout: Duration
    /// The host a `healthEndpoint` that is only a path is probed on (the agents run on this Pi).
    var host = "127.0.0.1"

    static let healthyWords: Set<String> = ["healthy", "ok", "up", "running", "pass", "active"]
    static let failedRegistryWords: Set<String> = [
        "error", "failed", "stopped", "inactive", "unhealthy", "down", "degraded",
    ]

    func health(_ spec: AgentSpec, entry: JSONValue?) async -> (Health, String) {
        guard let entry else { return (.missing, "not registered in ALEX OS") }
        let registryStatus = entry["status"]?.string
        if let registryStatus, Self.failedRegistryWords.contains(registryStatus.lowercased()) {
            return (.degraded, "the registry reports status '\(registryStatus)'")
        }
        let registered = "registered" + (registryStatus.map { " (status \($0))" } ?? "")
        guard let endpoint = spec.healthEndpoint else {
            // Being listed says nothing about health: only a status the registry vouches for does.
            guard let registryStatus, Self.healthyWords.contains(registryStatus.lowercased()) else {
                let status = registryStatus.map { "status '\($0)'" } ?? "no status"
                return (
                    .unknown, "registered, but the registry reports \(status) and there is no healthEndpoint to probe"
                )
            }
            return (.healthy, registered + ", no healthEndpoint to probe")
        }
        let url: String
        if endpoint.hasPrefix("/") {
            guard let port = spec.port else { return (.unknown, registered + ", healthEndpoint has no port") }
            url = "http://\(host):\(port)\(endpoint)"
        } else {
            url = endpoint
        }
        var request = HTTPRequest(url: url)
        request.timeout = timeout
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            return (.degraded, "\(registered); health probe failed: \(error)")
        }
        guard response.isSuccess else {
            return (.degraded, "\(registered); GET \(url): HTTP \(response.status) \(response.reason)")
        }
        guard let status = (try? response.jsonValue())?["status"]?.string else {
            return (.degraded, "\(registered); GET \(url): HTTP \(response.status) without a JSON status")
        }
        if Self.healthyWords.contains(status.lowercased()) {
            return (.healthy, "\(registered); \(url) says '\(status)'")
        }
        return (.degraded, "\(registered); \(url) says '\(status)'")
    }
}
