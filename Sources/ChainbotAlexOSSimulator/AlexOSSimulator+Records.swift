import ChainbotCore
import ChainbotHTTP

extension AlexOSSimulator {
    /// An agent as registered: its server-assigned id and the registration payload as received.
    public struct RegisteredAgent: Sendable, Hashable {
        public var id: String
        public var name: String
        public var payload: JSONValue
        /// How many times it was registered (1 after the first registration).
        public var registrations: Int
    }

    /// An event received on `/api/webhooks/chainbot/{event_type}`.
    public struct ReceivedEvent: Sendable, Hashable {
        /// 1-based, in order of arrival.
        public var sequence: Int
        /// The `{event_type}` of the path.
        public var eventType: String
        public var idempotencyKey: String?
        public var body: JSONValue
        /// How many times it was delivered (more than 1: duplicates with the same idempotency key).
        public var deliveries: Int
    }

    /// A request the simulator received (control requests under `/_sim/` are not recorded).
    public struct RecordedRequest: Sendable, Hashable {
        /// 1-based, in order of arrival.
        public var sequence: Int
        public var method: HTTPMethod
        public var path: String
        public var query: String?
        public var body: String
        /// The fault applied, if any.
        public var fault: Fault.Mode?
        /// The status answered; nil while in progress or when the connection was dropped.
        public var status: Int?
    }
}
