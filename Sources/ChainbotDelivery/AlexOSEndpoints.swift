public import ChainbotCore
import ChainbotHTTP

/// Where ALEX OS answers (DESIGN.md §7): a base URL and a path per call, each configurable because the
/// real services differ in prefixes and trailing slashes.
public struct AlexOSEndpoints: Sendable, Hashable {
    /// `http://HOST[:PORT]` with any path prefix, without a trailing slash.
    public var baseURL: String
    public var registerPath = "/api/agents/register"
    public var canonPath = "/api/agents/canon"
    /// The fallback listing when the canon index cannot be read.
    public var agentListPath = "/api/chainbot/agents/all"
    /// `{name}` is replaced by the percent-encoded agent name.
    public var deregisterPath = "/api/agents/{name}"
    /// `{event_type}` is replaced by the event's type (`drift_detected`, `health_report`).
    public var webhookPath = "/api/webhooks/chainbot/{event_type}"
    public var eventBusPath = "/ws/events"

    /// Checks `baseURL` (plain `http://` only); the error says what is wrong with it.
    public init(baseURL: String) throws(ProviderError) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        do { _ = try HTTPURL(parsing: base) } catch {
            throw ProviderError("invalid ALEX OS URL '\(baseURL)': \(error.message)")
        }
        self.baseURL = base
    }

    public var registerURL: String { baseURL + registerPath }
    public var canonURL: String { baseURL + canonPath }
    public var agentListURL: String { baseURL + agentListPath }

    public func deregisterURL(_ name: String) -> String {
        baseURL + deregisterPath.replacing("{name}", with: URLPathSegment.encode(name))
    }

    public func webhookURL(_ eventType: String) -> String {
        baseURL + webhookPath.replacing("{event_type}", with: URLPathSegment.encode(eventType))
    }

    /// The base URL of the agents' webhooks, without the event type (what a registration advertises).
    public var webhookBaseURL: String {
        let path = webhookPath.replacing("/{event_type}", with: "").replacing("{event_type}", with: "")
        return baseURL + path
    }

    /// The event bus as a `ws://` URL.
    public var eventBusURL: String { "ws" + baseURL.dropFirst(4) + eventBusPath }
}
