import ChainbotCore
import ChainbotStore

extension AgentEndpoint {
    /// An event as `/api/v1/events`, `/api/v1/status`, the event stream and `/ws` show it: the object of
    /// `chainbot events -o json` (`resource`, `kind`, `name`, …; docs/json-output.md), plus `regarding`
    /// (`Kind/name`), the endpoint's old spelling of `resource`, deprecated and kept for one release.
    static func eventJSON(_ stored: StoredEvent) -> JSONValue {
        .object(EventsCommand.members(stored) + [("regarding", .string(stored.event.regarding))])
    }
}
