/// Why a provider could not observe or act, with what a person needs to act on it.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A one-line summary naming the command, file or URL involved.
    public var message: String
    /// Output of the failing command (stderr, journal lines), trimmed; may be empty.
    public var detail: String
    /// Whether trying again later could help.
    public var retryable: Bool
    /// What kind of failure it is, for decisions (the engine tells failures apart by it, never by the
    /// message); nil where no one has classified it.
    public var code: Code? = nil
    /// The resource the failure concerns: the engine sets it on what a provider threw while rendering,
    /// observing or changing that resource (a batch `observe` that failed: on each resource's copy); nil
    /// before the engine saw it. Not part of equality (`==`).
    public var resource: ResourceID? = nil

    /// What kind of failure a `ProviderError` is.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A firewall was loaded, then put back: not confirmed in time, or not as expected.
        case firewallReverted
        /// A command ran and exited with a failure status.
        case commandFailed
        /// A command could not be started (not installed, not executable).
        case launchFailed
        /// A command or a request did not finish in time.
        case timedOut
        /// An HTTP request could not be made, or was answered with an error status.
        case httpFailed
        /// A file, directory or record that must exist does not (ENOENT, ENOTDIR).
        case notFound
        /// The operating system refused the operation to this user (EACCES, EPERM).
        case permissionDenied
        /// The file is on a read-only filesystem (EROFS).
        case readOnly
        /// The filesystem is full, or the user's quota is (ENOSPC, EDQUOT).
        case noSpace
        /// Something is already where a new one was to be made (EEXIST).
        case alreadyExists
        /// The file or device is in use (EBUSY, ETXTBSY).
        case busy
        /// Another system call failed (errno in the message).
        case systemCallFailed
        /// A command's output or a server's answer could not be understood.
        case invalidResponse
        /// The spec cannot be turned into what the host takes (a value systemd or nft cannot hold).
        case invalidSpec
        /// Nothing in this build can do it (no provider for the kind, an action a provider does not run).
        case unsupported
    }

    public init(_ message: String, detail: String = "", retryable: Bool = false) {
        self.message = message
        self.detail = detail
        self.retryable = retryable
    }

    public init(_ message: String, detail: String = "", retryable: Bool = false, code: Code?) {
        self.init(message, detail: detail, retryable: retryable)
        self.code = code
    }

    public var description: String { detail.isEmpty ? message : "\(message)\n\(detail)" }

    /// This error as concerning `id`, unless it already names a resource (a provider knows best).
    public func regarding(_ id: ResourceID) -> ProviderError {
        var error = self
        if error.resource == nil { error.resource = id }
        return error
    }

    /// Two errors are equal when they are the same failure, whichever resource each concerns: one cause
    /// that several resources met (one `systemctl show` that failed for all of them) is one failure.
    /// Compare `resource` too where it matters.
    public static func == (lhs: ProviderError, rhs: ProviderError) -> Bool {
        lhs.message == rhs.message && lhs.detail == rhs.detail && lhs.retryable == rhs.retryable
            && lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(message)
        hasher.combine(detail)
        hasher.combine(retryable)
        hasher.combine(code)
    }
}

extension ProviderError.Code {
    /// The code of a child that could not be run to completion: `launchFailed` when it never started,
    /// `timedOut` when it was killed at its timeout, else `commandFailed`.
    public init(_ error: CommandError) {
        switch error {
        case .launchFailed: self = .launchFailed
        case .timedOut: self = .timedOut
        case .outputLimitExceeded, .ioFailed: self = .commandFailed
        }
    }
}
