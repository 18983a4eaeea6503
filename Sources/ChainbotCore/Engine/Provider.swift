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
        /// A file, directory or record that must exist does not.
        case notFound
        /// The operating system refused the operation (permissions, a read-only filesystem).
        case permissionDenied
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
}

/// A resource to observe: its identity and the spec that says where to look (the desired spec, or the
/// last-applied one for a resource that left the manifests).
public struct ObserveTarget: Sendable, Hashable {
    public var id: ResourceID
    public var spec: ResourceSpec
    /// The last-applied spec, when chainbot applied the resource before: what is on the host may have been
    /// rendered from it (a file holding the secrets an earlier spec named must be observed masked).
    public var previous: ResourceSpec?
    /// What the provider's `render` made of `spec` in this run (nil for a resource that left the
    /// manifests): a provider that read the host to render (the firewall table) finds the reading here.
    public var rendered: Rendered?

    public init(id: ResourceID, spec: ResourceSpec) {
        self.init(id: id, spec: spec, previous: nil)
    }

    public init(id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?, rendered: Rendered? = nil) {
        self.id = id
        self.spec = spec
        self.previous = previous
        self.rendered = rendered
    }
}

/// One kind's connection to the host: it renders desired facets, observes, plans its steps and runs them.
///
/// Rendering and observing may read the host; `steps` is pure. Providers keep nothing between calls:
/// the engine hands what `render` made to `observe` (in each target) and to `steps` (in the request),
/// with what `observe` saw, and each step's action carries all that `execute` needs. What the engine must
/// know of a kind is data it reads, never a kind's name: `Rendered.restartOnNotify`,
/// `StepAction.runsOncePerPlan`/`runsSideBySide`, and the spec's `notifies`/`readsPaths`/`healthPolicy`.
/// Providers reach the host only through the seams they are built with (a command runner, a filesystem
/// root).
public protocol Provider: Sendable {
    /// The kinds this provider manages.
    var kinds: [Kind] { get }

    /// The facets `spec` asks for; `previous` (the last-applied spec) lets a provider ask for the
    /// removal of what the manifests no longer mention (a drop-in taken out, for example).
    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered

    /// Observes every target in one batch (one `systemctl show` for all units, say).
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource]

    /// The actions that turn the request's observation into its rendered facets (spec nil: prune), in order.
    func steps(for request: StepRequest) -> [StepAction]

    /// Runs one action; throws with the command's output when it fails.
    func execute(_ action: StepAction) async throws(ProviderError)

    /// This provider for one run that sees the whole desired set and what was applied before, for kinds
    /// whose resources render together (the firewall is one table made from several kinds): a value made
    /// from its arguments, reading nothing. The default is the provider itself.
    func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider
}

extension Provider {
    public func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider { self }

    /// `steps(for:)` with the request spelled out.
    public func steps(
        for id: ResourceID, spec: ResourceSpec?, previous: ResourceSpec?, changes: [FieldChange],
        observed: ObservedResource, rendered: Rendered? = nil
    ) -> [StepAction] {
        steps(
            for: StepRequest(
                id: id, spec: spec, previous: previous, changes: changes, observed: observed, rendered: rendered))
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
