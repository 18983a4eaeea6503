import ChainbotCore
import ChainbotDelivery
import ChainbotHTTP

/// The ALEX OS agent registry over HTTP (DESIGN.md §7): list, register, deregister.
///
/// Errors name the method, URL and status, never a token.
struct AgentRegistry: Sendable {
    let transport: any HTTPTransport
    let endpoints: AlexOSEndpoints
    let timeout: Duration

    /// A listing of registered agents and where it came from.
    struct Listing: Sendable {
        /// `GET URL`, for reasons that name what was read.
        var source: String
        /// The entries by `name` (or `agent_name`, the registration payload's spelling).
        var agents: [String: JSONValue]
    }

    /// The registered agents by name, from the canon index, or from the fallback listing when the canon
    /// index answers with an error or something that is not its JSON.
    func agents() async throws(ProviderError) -> Listing {
        do {
            return try await list(endpoints.canonURL)
        } catch let canonError {
            // The same server, unreachable: the fallback cannot do better.
            if !canonError.requestSent && canonError.kind != .status { throw Self.providerError(canonError) }
            do {
                return try await list(endpoints.agentListURL)
            } catch {
                throw ProviderError(
                    "cannot read the ALEX OS agent registry: \(error)", detail: "canon index: \(canonError)",
                    retryable: error.isTransient || canonError.isTransient)
            }
        }
    }

    private func list(_ url: String) async throws(HTTPError) -> Listing {
        var request = HTTPRequest(url: url)
        request.timeout = timeout
        let response = try await transport.send(request)
        let body = try response.jsonValue()
        guard let items = body["agents"]?.array ?? body.array else {
            throw HTTPError(
                .malformedJSON, method: .get, url: url, status: response.status,
                message: "HTTP \(response.status): expected {\"agents\": [...]}", requestSent: true)
        }
        var agents: [String: JSONValue] = [:]
        for item in items {
            guard let name = item["name"]?.string ?? item["agent_name"]?.string else { continue }
            agents[name] = item
        }
        return Listing(source: "GET \(url)", agents: agents)
    }

    /// Sends one write; returns the error when it did not answer 2xx.
    func send(_ method: HTTPMethod, _ url: String, json: JSONValue?, token: String?) async -> HTTPError? {
        var request =
            json.map { HTTPRequest(method: method, url: url, json: $0) } ?? HTTPRequest(method: method, url: url)
        if let token { request.headers["Authorization"] = "Bearer " + token }
        request.timeout = timeout
        do {
            try await transport.send(request).ensureSuccess()
            return nil
        } catch {
            return error
        }
    }

    static func providerError(_ error: HTTPError) -> ProviderError {
        ProviderError(
            error.description, retryable: error.isTransient,
            code: error.kind == .timedOut ? .timedOut : error.kind == .malformedJSON ? .invalidResponse : .httpFailed)
    }
}
