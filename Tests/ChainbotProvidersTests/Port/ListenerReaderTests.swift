import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

extension PortTests {
    struct ListenerReaderTests {
        @Test(arguments: ProcNetFixture.names)
        func readsFixtureAsItsGoldenListing(_ name: String) throws {
            let fixture = ProcNetFixture(name)
            let golden = try #require(fixture.golden, "fixtures/proc-net/\(name)/listeners.txt is missing")
            #expect(try ProcNetFixture.render(fixture.read()) == golden)
        }

        @Test func readsTheALEXOSPiServicesWithTheirUnits() throws {
            let listeners = try ProcNetFixture("alexos-pi").read()
            let tcp = listeners.filter { $0.networkProtocol == .tcp }
            #expect(
                tcp.first { $0.port == 9000 }?.owners == [
                    ListenerOwner(pid: 731, command: "uvicorn", unit: "chainbot.service")
                ])
            #expect(tcp.first { $0.port == 8000 }?.owners.map(\.unit) == ["watchtower.service"])
            #expect(tcp.filter { $0.port == 5420 }.map(\.address) == ["0.0.0.0", "::"])
            #expect(tcp.first { $0.port == 80 }?.owners.map(\.pid) == [802, 803, 804])
            // Established connections, TIME_WAIT and connected UDP sockets are not listeners.
            #expect(!listeners.contains { [49822, 49810, 38121].contains($0.port) })
            #expect(listeners.allSatisfy { $0.ownersComplete })
        }

        @Test func showsIPv4MappedAddressesAsIPv4() throws {
            let listeners = try ProcNetFixture("dual-stack").read()
            #expect(listeners.first { $0.port == 8000 }?.address == "127.0.0.1")
            #expect(listeners.first { $0.port == 8125 }?.address == "127.0.0.1")
            #expect(listeners.first { $0.port == 8443 }?.endpoint == "[2001:db8:42::208]:8443")
            #expect(listeners.first { $0.port == 5420 }?.address == "fe80::dea6:32ff:fe01:2345")
        }

        @Test func leavesOutAProcessThatExitedAndKeepsKernelSocketsOwnerless() throws {
            let listeners = try ProcNetFixture("hybrid-cgroup").read()
            let exited = try #require(listeners.first { $0.port == 8081 })
            #expect(exited.owners.isEmpty && exited.ownersComplete)
            let nfsd = try #require(listeners.first { $0.port == 2049 })
            #expect(nfsd.inode == 0 && nfsd.owners.isEmpty)
        }

        @Test func reportsUnreadableDescriptorsAsUnknownOwnersNotAsAnError() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem, deniedDirectories: ["/proc/731/fd"])
            let listeners = try ListenerReader(fileSystem: fileSystem).read()
            let chainbot = try #require(listeners.first { $0.port == 9000 })
            #expect(chainbot.owners.isEmpty)
            #expect(!chainbot.ownersComplete)
            #expect(listeners.first { $0.port == 5420 }?.owners.map(\.command) == ["sshd"])
        }

        @Test func reportsOneUnreadableDescriptorAsUnknownOwners() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem, deniedLinks: ["/proc/612/fd/4"])
            let listeners = try ListenerReader(fileSystem: fileSystem).read()
            let ssh = listeners.filter { $0.port == 5420 }
            // Both of sshd's listeners are still found; only who owns them is unknown.
            #expect(ssh.map(\.address) == ["0.0.0.0", "::"])
            #expect(ssh.allSatisfy { $0.owners.isEmpty && !$0.ownersComplete })
        }

        @Test func ignoresAProcessThatVanishesDuringTheScan() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(
                base: fixture.fileSystem, deniedDirectories: ["/proc/731/fd"], vanished: ["/proc/731"])
            let listeners = try ListenerReader(fileSystem: fileSystem).read()
            let chainbot = try #require(listeners.first { $0.port == 9000 })
            #expect(chainbot.owners.isEmpty)
            #expect(chainbot.ownersComplete)
        }

        @Test func readsWithoutIPv6Tables() throws {
            let listeners = try ProcNetFixture("ipv6-disabled").read()
            #expect(listeners.map(\.description) == ["0.0.0.0:22/tcp", "0.0.0.0:68/udp"])
        }

        @Test func failsWhenProcIsMissing() throws {
            let directory = TemporaryDirectory("chainbot-ports")
            #expect {
                try ListenerReader(fileSystem: LocalFileSystem(root: directory.path)).read()
            } throws: { error in
                (error as? ProviderError)?.message
                    == "cannot read listening sockets: /proc/net/tcp is missing (is /proc mounted under '\(directory.path)'?)"
            }
        }

        @Test func failsOnARowItCannotParseNamingTheLine() throws {
            let directory = TemporaryDirectory("chainbot-ports")
            let header =
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            directory.write(
                "proc/net/tcp",
                header
                    + "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1\n"
                    + "   1: 0000000G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8 1\n"
            )
            directory.write("proc/net/udp", header)
            #expect {
                try ListenerReader(fileSystem: LocalFileSystem(root: directory.path)).read()
            } throws: { error in
                (error as? ProviderError)?.message
                    == "cannot read listening sockets: /proc/net/tcp line 3 is not a socket row"
            }
        }

        @Test func readsOnlyTheProcessesThatHoldAListener() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem)
            _ = try ListenerReader(fileSystem: fileSystem).read()
            let comms = fileSystem.reads.filter { $0.hasSuffix("/comm") }
            #expect(!comms.contains("/proc/1410/comm"))
            #expect(!comms.contains("/proc/1403/comm"))
            #expect(comms.contains("/proc/731/comm"))
        }
    }
}
