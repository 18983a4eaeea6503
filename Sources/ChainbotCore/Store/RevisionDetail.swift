/// A recorded apply together with its steps, in the order they were recorded.
public struct RevisionDetail: Sendable, Hashable {
    public var revision: Revision
    /// The steps, first recorded first.
    public var steps: [RevisionStep]

    public init(revision: Revision, steps: [RevisionStep]) {
        self.revision = revision
        self.steps = steps
    }
}
