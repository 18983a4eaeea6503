/// How a `Port` resource's desired listener compares with what the host shows.
public struct PortStatus: Sendable, Hashable, CustomStringConvertible {
    /// The verdict; every kind but `healthy` is drift.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The owner (or, without one, anything) listens at the desired address.
        case healthy
        /// Nothing listens on the port at an address that covers the desired one.
        case nothingListening
        /// Processes other than the owner hold the port at (or over) the desired address.
        case heldByOther
        /// Something holds the port at (or over) the desired address, but no process could be seen holding it:
        /// its descriptors were unreadable, or it is a kernel socket.
        case ownerUnknown
        /// The owner listens on the any-address (`0.0.0.0`, `::`) where a narrower address was wanted.
        case wider
        /// The owner listens on the port, but only at addresses that do not cover the desired one.
        case otherAddress
    }

    public var kind: Kind
    /// The listener the verdict is about; nil for `nothingListening`.
    public var listener: Listener?
    /// One line for people: `nothing listens on 127.0.0.1:9000/tcp`.
    public var message: String
    /// A short value for a facet, free of pids so that it stays the same across restarts:
    /// `127.0.0.1:9000 by chainbot.service`, `(nothing listening)`.
    public var word: String

    public init(kind: Kind, listener: Listener?, message: String, word: String) {
        self.kind = kind
        self.listener = listener
        self.message = message
        self.word = word
    }

    public var isHealthy: Bool { kind == .healthy }

    public var description: String { message }
}
