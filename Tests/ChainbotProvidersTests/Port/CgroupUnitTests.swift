import Testing

@testable import ChainbotProviders

extension PortTests {
    struct CgroupUnitTests {
        @Test(
            arguments: [
                ("0::/system.slice/chainbot.service\n", "chainbot.service"),
                ("0::/system.slice/chainbot.service/worker\n", "chainbot.service"),
                ("0::/system.slice/system-getty.slice/getty@tty1.service\n", "getty@tty1.service"),
                ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/jupyter.service\n", "jupyter.service"),
                ("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", "user@1000.service"),
                ("0::/user.slice/user-1000.slice/session-3.scope\n", nil),
                ("0::/system.slice/docker-4f2a9c1d8e3b.scope\n", nil),
                ("0::/init.scope\n", nil),
                ("0::/\n", nil),
                ("0::/system.slice/.service\n", nil),
                ("", nil),
                (
                    "12:pids:/system.slice/ssh.service\n1:name=systemd:/system.slice/ssh.service\n0::/system.slice/ssh.service\n",
                    "ssh.service"
                ),
                ("4:memory:/system.slice/x.service\n1:name=systemd:/system.slice/ssh.service\n", "ssh.service"),
                (
                    "9:name=systemd:/\n4:memory:/process_api/3f80\n0::/system.slice/chainbot.service\n",
                    "chainbot.service"
                ),
                ("1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n", "a.service"),
                ("1:cpu,name=systemd:/system.slice/nginx.service\n", "nginx.service"),
                ("4:memory:/system.slice/x.service\n", nil),
            ] as [(String, String?)])
        func findsTheServiceOfAProcess(_ cgroup: String, _ unit: String?) {
            #expect(CgroupUnit.unit(fromCgroup: cgroup) == unit)
        }
    }
}
