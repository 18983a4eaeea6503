import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// Builders shared by the systemd provider tests.
enum ServiceTestSupport {
    static let id = ResourceID(.service, "chainbot")
    static let unitPath = "/etc/systemd/system/chainbot.service"
    static let dropInDirectory = "/etc/systemd/system/chainbot.service.d"
    static let showArguments = [
        "show",
        "--property=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath,DropInPaths,"
            + "ExecMainStatus,Result",
        "--",
    ]

    /// A structured service `chainbot.service` running `/usr/bin/chainbot agent`.
    static func spec(
        exec: String = "/usr/bin/chainbot agent", wantedBy: [String] = ["multi-user.target"],
        dropIns: [NamedText] = [], enabled: Bool = true, state: ServiceSpec.State = .running
    ) -> ServiceSpec {
        ServiceSpec(
            unitName: "chainbot.service",
            definition: .structured(ServiceUnit(description: "ChainBot", exec: exec, wantedBy: wantedBy)),
            dropIns: dropIns, enabled: enabled, state: state)
    }

    static func provider(
        _ mode: SystemdProvider.Mode = .live, runner: FakeCommandRunner = FakeCommandRunner(),
        fileSystem: FakeFileSystem = FakeFileSystem()
    ) -> SystemdProvider {
        SystemdProvider(runner: runner, fileSystem: fileSystem, mode: mode)
    }

    /// `systemctl show` output for one unit with these states.
    static func show(
        _ unit: String = "chainbot.service", load: String = "loaded", active: String = "active",
        sub: String = "running",
        fileState: String = "enabled", needReload: String = "no", result: String = "success", status: String = "0"
    ) -> String {
        """
        Result=\(result)
        ExecMainStatus=\(status)
        Id=\(unit)
        LoadState=\(load)
        ActiveState=\(active)
        SubState=\(sub)
        FragmentPath=/etc/systemd/system/\(unit)
        DropInPaths=
        UnitFileState=\(fileState)
        NeedDaemonReload=\(needReload)

        """
    }

    /// What the shared planner does: compares desired facets with observed ones by name.
    static func changes(_ desired: [Facet], _ observed: ObservedResource) -> [FieldChange] {
        desired.compactMap { facet in
            let current = observed.facets[facet.name] ?? .absent
            return current == facet.value
                ? nil : FieldChange(resource: observed.id, facet: facet.name, from: current, to: facet.value)
        }
    }

    /// Renders `spec`, observes it and returns the steps, as one planning pass would.
    static func plan(
        _ provider: SystemdProvider, _ spec: ServiceSpec, previous: ServiceSpec? = nil
    ) async throws -> [StepAction] {
        let desired = try await provider.render(id, spec: .service(spec), previous: previous.map(ResourceSpec.service))
            .facets
        let observed = try await provider.observe([ObserveTarget(id: id, spec: .service(spec))])
        let current = try #require(observed[id])
        return provider.steps(
            for: id, spec: .service(spec), previous: previous.map(ResourceSpec.service),
            changes: changes(desired, current), observed: current)
    }
}
