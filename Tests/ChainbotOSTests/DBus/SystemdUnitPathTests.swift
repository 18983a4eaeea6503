import ChainbotOS
import Testing

struct SystemdUnitPathTests {
    @Test(arguments: [
        ("web.service", "web_2eservice"),
        ("systemd-journald.socket", "systemd_2djournald_2esocket"),
        ("modprobe@drm.service", "modprobe_40drm_2eservice"),
        ("1password.service", "_31password_2eservice"),
    ])
    func escapesAUnitNameAsSystemdDoes(name: String, escaped: String) {
        #expect(SystemdUnitPath.path(forUnit: name) == SystemdUnitPath.prefix + escaped)
        #expect(SystemdUnitPath.unitName(fromPath: SystemdUnitPath.prefix + escaped) == name)
    }

    @Test(arguments: [
        "/org/freedesktop/systemd1/unit/web_2", "/org/freedesktop/systemd1/unit/web_zzservice",
        "/org/freedesktop/systemd1/unit/", "/org/freedesktop/systemd1/unit/_", "/org/freedesktop/systemd1/job/4",
        "/org/freedesktop/systemd1/unit/a/b",
    ])
    func aPathThatIsNotAUnitObjectHasNoUnitName(path: String) {
        #expect(SystemdUnitPath.unitName(fromPath: path) == nil)
    }
}
