import ChainbotCore
import ChainbotProviders
import Testing

extension PortTests {
    struct PortCheckTests {
        static let chainbot = ListenerOwner(pid: 731, command: "uvicorn", unit: "chainbot.service")
        static let other = ListenerOwner(pid: 412, command: "python3", unit: "other.service")
        static let byHand = ListenerOwner(pid: 2211, command: "uvicorn")

        static func tcp(_ address: String, _ owners: [ListenerOwner], port: Int = 9000, complete: Bool = true)
            -> Listener
        {
            Listener(
                networkProtocol: .tcp, address: address, port: port, inode: 100, owners: owners,
                ownersComplete: complete)
        }

        static func check(
            _ listeners: [Listener], wanted address: String = "127.0.0.1", owner: String? = "chainbot.service",
            networkProtocol: NetworkProtocol = .tcp
        ) -> PortStatus {
            PortCheck.evaluate(
                spec: PortSpec(port: 9000, networkProtocol: networkProtocol, address: address), ownerUnit: owner,
                listeners: listeners)
        }

        @Test func isHealthyWhenTheOwnerListensAtTheAddress() {
            let status = Self.check([Self.tcp("127.0.0.1", [Self.chainbot])])
            #expect(status.kind == .healthy && status.isHealthy)
            #expect(status.message == "chainbot.service listens on 127.0.0.1:9000/tcp")
            #expect(status.word == "127.0.0.1:9000 by chainbot.service")
            #expect(status.word == PortCheck.expectedWord(spec: PortSpec(port: 9000), ownerUnit: "chainbot.service"))
            #expect(status.listener?.owners == [Self.chainbot])
        }

        @Test func isHealthyWithoutAnOwnerWhenAnythingListensAtTheAddress() {
            let status = Self.check([Self.tcp("127.0.0.1", [Self.other])], owner: nil)
            #expect(status.kind == .healthy)
            #expect(status.message == "python3 (pid 412, unit other.service) listens on 127.0.0.1:9000/tcp")
            #expect(status.word == "127.0.0.1:9000")
            #expect(status.word == PortCheck.expectedWord(spec: PortSpec(port: 9000), ownerUnit: nil))
        }

        @Test func sharesAHealthyPortWithAnotherAddress() {
            let listeners = [Self.tcp("10.42.69.208", [Self.other]), Self.tcp("127.0.0.1", [Self.chainbot])]
            #expect(Self.check(listeners).kind == .healthy)
        }

        @Test func reportsNothingListening() {
            let status = Self.check([Self.tcp("127.0.0.1", [Self.chainbot], port: 9001)])
            #expect(status.kind == .nothingListening && !status.isHealthy)
            #expect(status.message == "nothing listens on 127.0.0.1:9000/tcp")
            #expect(status.word == "(nothing listening)")
            #expect(status.listener == nil)
            #expect(Self.check([], wanted: "::1").message == "nothing listens on [::1]:9000/tcp")
        }

        @Test func doesNotCountAnotherProtocolOnTheSamePort() {
            let udp = Listener(
                networkProtocol: .udp, address: "127.0.0.1", port: 9000, inode: 5, owners: [Self.chainbot])
            #expect(Self.check([udp]).kind == .nothingListening)
            #expect(
                Self.check([udp], networkProtocol: .udp).message == "chainbot.service listens on 127.0.0.1:9000/udp")
        }

        @Test func doesNotBlameAProcessAtAnotherSpecificAddress() {
            #expect(Self.check([Self.tcp("10.42.69.208", [Self.other])]).kind == .nothingListening)
        }

        @Test func namesTheProcessThatHoldsThePort() {
            let status = Self.check([Self.tcp("0.0.0.0", [Self.other])])
            #expect(status.kind == .heldByOther)
            #expect(
                status.message
                    == "0.0.0.0:9000/tcp is held by python3 (pid 412, unit other.service), not chainbot.service")
            #expect(status.word == "0.0.0.0:9000 by other.service")
        }

        @Test func namesAProcessOutsideAnyServiceByItsCommand() {
            let status = Self.check([Self.tcp("0.0.0.0", [Self.byHand])], wanted: "0.0.0.0")
            #expect(status.kind == .heldByOther)
            #expect(status.message == "0.0.0.0:9000/tcp is held by uvicorn (pid 2211), not chainbot.service")
            #expect(status.word == "0.0.0.0:9000 by uvicorn")
        }

        @Test func namesEveryProcessSharingTheSocket() {
            let nginx = [
                ListenerOwner(pid: 802, command: "nginx", unit: "nginx.service"),
                ListenerOwner(pid: 803, command: "nginx", unit: "nginx.service"),
            ]
            let status = Self.check([Self.tcp("127.0.0.1", nginx)])
            #expect(
                status.message
                    == "127.0.0.1:9000/tcp is held by nginx (pid 802, unit nginx.service), nginx (pid 803, unit nginx.service),"
                    + " not chainbot.service")
            #expect(status.word == "127.0.0.1:9000 by nginx.service")
        }

        @Test func reportsAnOwnerItCannotSee() {
            let hidden = Self.check([Self.tcp("127.0.0.1", [], complete: false)])
            #expect(hidden.kind == .ownerUnknown)
            #expect(
                hidden.message
                    == "127.0.0.1:9000/tcp is held by a process whose descriptors cannot be read (not root?), not chainbot.service"
            )
            #expect(hidden.word == "127.0.0.1:9000 by (unknown)")
            let kernel = Self.check([Self.tcp("0.0.0.0", [])])
            #expect(kernel.kind == .ownerUnknown)
            #expect(
                kernel.message
                    == "0.0.0.0:9000/tcp is held by no process (a kernel socket, or one closed during the scan), not chainbot.service"
            )
        }

        @Test func reportsAnOwnerListeningWiderThanWanted() {
            let status = Self.check([Self.tcp("0.0.0.0", [Self.chainbot])])
            #expect(status.kind == .wider)
            #expect(status.message == "chainbot.service listens on 0.0.0.0:9000/tcp, wider than 127.0.0.1")
            #expect(status.word == "0.0.0.0:9000 by chainbot.service")
        }

        @Test(arguments: [("127.0.0.1", "::"), ("::1", "::"), ("0.0.0.0", "::"), ("10.42.69.208", "0.0.0.0")])
        func treatsAnyAddressesAsWiderIncludingDualStack(_ wanted: String, _ listening: String) {
            #expect(Self.check([Self.tcp(listening, [Self.chainbot])], wanted: wanted).kind == .wider)
        }

        @Test func reportsWiderWithoutAnOwner() {
            let status = Self.check([Self.tcp("::", [Self.other])], owner: nil)
            #expect(status.kind == .wider)
            #expect(
                status.message == "python3 (pid 412, unit other.service) listens on [::]:9000/tcp, wider than 127.0.0.1"
            )
            #expect(status.word == "[::]:9000")
        }

        @Test(arguments: [("127.0.0.1", "10.42.69.208"), ("::1", "0.0.0.0"), ("::", "0.0.0.0"), ("::1", "127.0.0.1")])
        func reportsAnOwnerListeningAtAnotherAddress(_ wanted: String, _ listening: String) {
            let status = Self.check([Self.tcp(listening, [Self.chainbot])], wanted: wanted)
            #expect(status.kind == .otherAddress)
            #expect(status.listener?.address == listening)
        }

        @Test func saysWhereTheOwnerListensInstead() {
            let status = Self.check([Self.tcp("10.42.69.208", [Self.chainbot])])
            #expect(status.message == "chainbot.service listens on 10.42.69.208:9000/tcp, not 127.0.0.1:9000/tcp")
            #expect(status.word == "10.42.69.208:9000 by chainbot.service")
            let anyone = Self.check([Self.tcp("10.42.69.208", [Self.byHand])], owner: nil)
            #expect(anyone.kind == .otherAddress)
            #expect(anyone.message == "uvicorn (pid 2211) listens on 10.42.69.208:9000/tcp, not 127.0.0.1:9000/tcp")
            #expect(anyone.word == "10.42.69.208:9000 by uvicorn")
        }

        @Test func prefersTheExactAddressOverAWiderOne() {
            let listeners = [Self.tcp("::", [Self.chainbot]), Self.tcp("0.0.0.0", [Self.chainbot])]
            #expect(Self.check(listeners, wanted: "0.0.0.0").kind == .healthy)
            #expect(Self.check(listeners, wanted: "::").kind == .healthy)
        }

        @Test func comparesNormalizedDesiredAddresses() {
            #expect(Self.check([Self.tcp("127.0.0.1", [Self.chainbot])], wanted: "::ffff:127.0.0.1").kind == .healthy)
            #expect(Self.check([Self.tcp("::1", [Self.chainbot])], wanted: "0:0:0:0:0:0:0:1").kind == .healthy)
        }

        @Test func judgesTheALEXOSPiAsIntended() throws {
            let listeners = try ProcNetFixture("alexos-pi").read()
            let api = PortCheck.evaluate(
                spec: PortSpec(port: 9000, address: "0.0.0.0"), ownerUnit: "chainbot.service", listeners: listeners)
            #expect(api.word == "0.0.0.0:9000 by chainbot.service")
            let alexos = PortCheck.evaluate(
                spec: PortSpec(port: 8000, address: "0.0.0.0"), ownerUnit: "watchtower.service", listeners: listeners)
            #expect(alexos.isHealthy)
            let ssh = PortCheck.evaluate(
                spec: PortSpec(port: 5420, address: "0.0.0.0"), ownerUnit: "ssh.service", listeners: listeners)
            #expect(ssh.isHealthy)
            let loopback = PortCheck.evaluate(
                spec: PortSpec(port: 9000), ownerUnit: "chainbot.service", listeners: listeners)
            #expect(loopback.message == "chainbot.service listens on 0.0.0.0:9000/tcp, wider than 127.0.0.1")
        }

        @Test func judgesTheALEXOSPiAsFound() throws {
            let listeners = try ProcNetFixture("alexos-pi-drift").read()
            let api = PortCheck.evaluate(
                spec: PortSpec(port: 9000, address: "0.0.0.0"), ownerUnit: "chainbot.service", listeners: listeners)
            #expect(api.message == "0.0.0.0:9000/tcp is held by uvicorn (pid 2211), not chainbot.service")
            let alexos = PortCheck.evaluate(
                spec: PortSpec(port: 8000, address: "0.0.0.0"), ownerUnit: "watchtower.service", listeners: listeners)
            #expect(alexos.message == "nothing listens on 0.0.0.0:8000/tcp")
            let actual = PortCheck.evaluate(
                spec: PortSpec(port: 5000, address: "0.0.0.0"), ownerUnit: "watchtower.service", listeners: listeners)
            #expect(actual.isHealthy)
        }
    }
}
