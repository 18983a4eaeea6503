public import ChainbotCore

/// What an incoming bus message asks of chainbot, read from its JSON fields (never from its text).
///
/// A message is for chainbot when it is a JSON object whose `target` (top level or in `data`) is absent or
/// `chainbot`, and that did not come from chainbot itself (`source: "chainbot"`, an echo of what it
/// published). `event_type: reconcile_request` with `data.resource` (or `resource`) `Kind/name` of a known
/// kind asks for a pass of that resource; everything else is ignored.
public enum EventBusRequest: Equatable, Sendable {
    case reconcile(ResourceID)
    case ignored

    public init(message text: String) {
        guard let message = try? JSONValue(parsing: text), message.object != nil else {
            self = .ignored
            return
        }
        let data = message["data"]
        let target = message["target"]?.string ?? data?["target"]?.string
        guard target == nil || target == "chainbot", message["source"]?.string != "chainbot",
            message["event_type"]?.string == "reconcile_request",
            let resource = data?["resource"]?.string ?? message["resource"]?.string,
            let id = ResourceID(parsing: resource), !id.name.isEmpty
        else {
            self = .ignored
            return
        }
        self = .reconcile(id)
    }
}
