import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Glibc

/// Drives a `HostProvider` the way the engine does — render, observe, compare, steps, execute — without
/// the engine, over a fixture tree or a temporary copy of one.
struct HostProviderHarness {
    let provider: HostProvider
    let runner: FakeCommandRunner
    let root: String
    static let id = ResourceID(.host, "pi")

    /// A live-mode provider over `root`: vcgencmd answers from `vcgencmd/get_throttled`, disk space from
    /// `statvfs`, and `hostname NAME` succeeds.
    static func live(root: String) -> HostProviderHarness {
        let runner = FakeCommandRunner()
        if let output = Fixtures.readText(root + "/vcgencmd/get_throttled") {
            runner.script("vcgencmd", ["get_throttled"], output: output)
        }
        runner.script("hostname", output: "")
        let disks = HostProvider.recordedDiskSpace(Fixtures.readText(root + "/statvfs") ?? "")
        let provider = HostProvider(
            fileSystem: LocalFileSystem(root: root), runner: runner, mode: .live, diskSpace: disks)
        return HostProviderHarness(provider: provider, runner: runner, root: root)
    }

    /// An offline provider over `root` (an image or a snapshot); its runner must never be used.
    static func offline(root: String) -> HostProviderHarness {
        let runner = FakeCommandRunner()
        let provider = HostProvider(fileSystem: LocalFileSystem(root: root), runner: runner, mode: .offline)
        return HostProviderHarness(provider: provider, runner: runner, root: root)
    }

    /// What one diff finds: the changes, the planned actions and the observed resource (its `unobserved`
    /// facets are not compared).
    struct Planned {
        var changes: [FieldChange]
        var actions: [StepAction]
        var observed: ObservedResource

        /// The changed facet names, in display order.
        var facets: [String] { changes.map(\.facet) }
    }

    func plan(_ spec: HostSpec) async throws -> Planned {
        let resourceSpec = ResourceSpec.host(spec)
        let desired = try await provider.render(Self.id, spec: resourceSpec, previous: nil).facets
        let observed = try requireValueOrThrow(
            try await provider.observe([ObserveTarget(id: Self.id, spec: resourceSpec)])[Self.id])
        // As the planner does: an unobserved facet is neither equal nor a change.
        let changes = desired.compactMap { facet -> FieldChange? in
            if observed.unobserved[facet.name] != nil { return nil }
            let current = observed.facets[facet.name] ?? .absent
            return current == facet.value
                ? nil : FieldChange(resource: Self.id, facet: facet.name, from: current, to: facet.value)
        }
        let actions = provider.steps(
            for: Self.id, spec: resourceSpec, previous: nil, changes: changes, observed: observed)
        return Planned(changes: changes, actions: actions, observed: observed)
    }

    /// Plans and runs every action; returns what was planned.
    @discardableResult
    func apply(_ spec: HostSpec) async throws -> Planned {
        let planned = try await plan(spec)
        for action in planned.actions { try await provider.execute(action) }
        return planned
    }

    func read(_ path: String) -> String? { Fixtures.readText(root + path) }
}

/// A temporary copy of `fixtures/hosts/NAME` (files only), removed with the value.
func copyOfHostFixture(_ name: String) -> TemporaryDirectory {
    let directory = TemporaryDirectory("chainbot-hostcopy")
    copyTree(Fixtures.path("fixtures/hosts/" + name), to: directory.path)
    return directory
}

private func copyTree(_ source: String, to destination: String) {
    for name in Fixtures.list(source, hidden: true) {
        var info = stat()
        guard lstat(source + "/" + name, &info) == 0 else { continue }
        if info.st_mode & S_IFMT == S_IFDIR {
            mkdir(destination + "/" + name, 0o755)
            copyTree(source + "/" + name, to: destination + "/" + name)
        } else if let bytes = Fixtures.read(source + "/" + name) {
            Fixtures.write(destination + "/" + name, bytes)
        }
    }
}

struct MissingValue: Error {}

/// `value`, or a thrown error for nil (a `#require` usable outside a test function).
func requireValueOrThrow<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
