import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Glibc

/// A temporary host for ConfigFile tests: the provider writes under `host/`, while source and secret
/// files are read from their real absolute paths (as beside real manifests).
struct ConfigFileHost {
    let directory = TemporaryDirectory("chainbot-configfile")
    let provider: ConfigFileProvider
    let fileSystem: LocalFileSystem

    init() {
        mkdir(directory.file("host"), 0o755)
        fileSystem = LocalFileSystem(root: directory.file("host"))
        provider = ConfigFileProvider(
            fileSystem: fileSystem, sources: LocalFileSystem(), secrets: SecretReader(fileSystem: LocalFileSystem()))
    }

    /// The path on disk of host path `path`.
    func onDisk(_ path: String) -> String { directory.file("host") + path }

    /// Writes a file outside the host root (a source or secret file) and returns its absolute path.
    @discardableResult
    func outside(_ name: String, _ text: String) -> String { directory.write(name, text) }

    /// Writes a file on the host as a person would, outside chainbot's plan.
    func handEdit(_ path: String, _ text: String, mode: UInt32 = 0o644) throws {
        try fileSystem.write(FileWrite(path: path, content: Array(text.utf8), mode: mode))
    }

    func render(_ id: ResourceID, _ spec: ConfigFileSpec) async throws -> [Facet] {
        try await rendered(id, spec).facets
    }

    /// What `render` made: the facets and the rendered bytes the engine hands back to `steps`.
    func rendered(_ id: ResourceID, _ spec: ConfigFileSpec) async throws -> Rendered {
        try await provider.render(id, spec: .configFile(spec), previous: nil)
    }

    func observe(_ id: ResourceID, _ spec: ConfigFileSpec) async throws -> ObservedResource {
        let observed = try await provider.observe([ObserveTarget(id: id, spec: .configFile(spec))])
        return observed[id] ?? ObservedResource(id: id, facets: [:])
    }

    /// Renders, observes, and compares as the planner does, then asks for the steps.
    func plan(_ id: ResourceID, _ spec: ConfigFileSpec, previous: ConfigFileSpec? = nil) async throws
        -> (changes: [FieldChange], actions: [StepAction])
    {
        let desired = try await rendered(id, spec)
        let observed = try await observe(id, spec)
        let changes = Self.changes(id, desired: desired.facets, observed: observed)
        let actions = provider.steps(
            for: id, spec: .configFile(spec), previous: previous.map { .configFile($0) }, changes: changes,
            observed: observed, rendered: desired)
        return (changes, actions)
    }

    /// Renders, observes, plans and executes every step.
    func apply(_ id: ResourceID, _ spec: ConfigFileSpec) async throws {
        for action in try await plan(id, spec).actions { try await provider.execute(action) }
    }

    /// The planner's comparison: a desired facet missing from the observed ones counts as absent.
    static func changes(_ id: ResourceID, desired: [Facet], observed: ObservedResource) -> [FieldChange] {
        desired.compactMap { facet in
            let current = observed.facets[facet.name] ?? .absent
            return current == facet.value
                ? nil : FieldChange(resource: id, facet: facet.name, from: current, to: facet.value)
        }
    }
}

/// `sha256:` and 12 hex digits of `text`'s UTF-8 bytes, computed independently of the provider.
func digest(_ text: String) -> String { "sha256:" + String(SHA256.hex(SHA256.hash(Array(text.utf8))).prefix(12)) }
