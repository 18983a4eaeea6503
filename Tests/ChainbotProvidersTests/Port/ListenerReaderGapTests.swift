import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

extension PortTests {
    /// What a reading says about the /proc reads it could not make, so a Port can say why it is not compared.
    struct ListenerReaderGapTests {
        @Test func namesTheFirstUnreadableProcessAndHowManyThereWere() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(
                base: fixture.fileSystem, deniedDirectories: ["/proc/731/fd", "/proc/745/fd"])
            let listeners = try ListenerReader(fileSystem: fileSystem).read()
            let chainbot = try #require(listeners.first { $0.port == 9000 })
            #expect(
                chainbot.ownersUnreadable
                    == "opendir \(fixture.root)/proc/731/fd: Permission denied (2 processes unreadable)")
        }

        @Test func aCompleteScanNamesNoGap() throws {
            let listeners = try ProcNetFixture("alexos-pi").read()
            #expect(listeners.allSatisfy { $0.ownersComplete && $0.ownersUnreadable == nil })
        }

        @Test func anUnreadableSocketTableIsAnErrorNamingTheFileAndTheErrno() throws {
            let fixture = ProcNetFixture("alexos-pi")
            let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem, deniedReads: ["/proc/net/udp6"])
            #expect {
                try ListenerReader(fileSystem: fileSystem).read()
            } throws: { error in
                (error as? ProviderError)?.message
                    == "cannot read listening sockets: open \(fixture.root)/proc/net/udp6: Permission denied"
            }
        }
    }
}
