/// The systemd unit a process runs in, from the text of `/proc/PID/cgroup`.
///
/// Each line is `HIERARCHY:CONTROLLERS:PATH`. systemd keeps its tree in the cgroup v2 line
/// (`0::/system.slice/foo.service`) or, on v1 and hybrid hosts, in the `name=systemd` line
/// (`1:name=systemd:/system.slice/foo.service`); that line is tried first, then the v2 one. The unit is the
/// last `*.service` component of the path, so a service's sub-cgroup (`foo.service/worker`) and a user
/// service (`user@1000.service/app.slice/x.service` → `x.service`) resolve to the service itself. Scopes,
/// slices and the root name no service: nil.
enum CgroupUnit {
    static func unit(fromCgroup text: String) -> String? {
        var systemdPath: Substring?
        var unifiedPath: Substring?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].split(separator: ",").contains("name=systemd") {
                systemdPath = fields[2]
            } else if fields[0] == "0" && fields[1].isEmpty {
                unifiedPath = fields[2]
            }
        }
        return [systemdPath, unifiedPath].lazy.compactMap { $0 }.compactMap(service(in:)).first
    }

    /// The last component of `path` that names a service (`NAME.service`, NAME not empty).
    private static func service(in path: Substring) -> String? {
        let suffix = ".service"
        return path.split(separator: "/").last { $0.hasSuffix(suffix) && $0.count > suffix.count }.map(String.init)
    }
}
