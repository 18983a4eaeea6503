/// The ufw commands that turn the observed UFW into the desired one, in the order they must run.
public struct UfwPlan: Sendable, Hashable {
    /// One ufw command and the diff line that describes it.
    public struct Step: Sendable, Hashable, CustomStringConvertible {
        /// The words after `ufw`, e.g. `["prepend", "allow", "in", "proto", "tcp", …]`.
        public var arguments: [String]
        /// `+ RULE (OWNER)`, `- RULE (OWNER)` or `~ WHAT old -> new`, as `NftRuleset.differences` writes them.
        public var line: String

        public init(arguments: [String], line: String) {
            self.arguments = arguments
            self.line = line
        }

        public var description: String { line }
    }

    public var steps: [Step]
    /// Rules without a chainbot tag that stay as they are, one line each: `allow 8081/tcp (added by hand)`.
    public var foreign: [String]

    public init(steps: [Step] = [], foreign: [String] = []) {
        self.steps = steps
        self.foreign = foreign
    }

    /// True when UFW already is as desired.
    public var isEmpty: Bool { steps.isEmpty }

    /// The diff: one `+`/`-`/`~` line per step, in order.
    public var lines: [String] { steps.map(\.line) }
}
