import ChainbotCore
import Testing

@testable import ChainbotProviders

extension PortTests {
    struct ProcNetTableTests {
        @Test(arguments: [
            ("0100007F", "127.0.0.1"),
            ("00000000", "0.0.0.0"),
            ("D0452A0A", "10.42.69.208"),
            ("00000000000000000000000000000000", "::"),
            ("00000000000000000000000001000000", "::1"),
            ("0000000000000000FFFF00000100007F", "127.0.0.1"),
            ("0000000000000000FFFF0000D0452A0A", "10.42.69.208"),
            ("B80D0120000042000000000008020000", "2001:db8:42::208"),
            ("000080FE00000000FF32A6DE452301FE", "fe80::dea6:32ff:fe01:2345"),
            ("b80d0120000042000000000008020000", "2001:db8:42::208"),
        ])
        func decodesLittleEndianWords(_ hex: String, _ address: String) {
            #expect(ListenerAddress.decode(Substring(hex)) == address)
        }

        @Test(arguments: ["", "0100007", "0100007F0", "0100007G", "0000000000000000FFFF00000100007"])
        func refusesMalformedAddresses(_ hex: String) {
            #expect(ListenerAddress.decode(Substring(hex)) == nil)
        }

        @Test func decodesPortsInHostOrder() {
            #expect(ListenerAddress.decodePort("2328") == 9000)
            #expect(ListenerAddress.decodePort("152C") == 5420)
            #expect(ListenerAddress.decodePort("FFFF") == 65535)
            #expect(ListenerAddress.decodePort("1F4") == nil)
        }

        @Test(arguments: [
            ("127.0.0.1", "127.0.0.1"), ("::ffff:127.0.0.1", "127.0.0.1"), ("0:0:0:0:0:0:0:1", "::1"),
            ("2001:DB8::0:5", "2001:db8::5"), ("not an address", "not an address"),
        ])
        func normalizesDesiredAddresses(_ text: String, _ normalized: String) {
            #expect(ListenerAddress.normalized(text) == normalized)
        }

        @Test func keepsListeningTCPAndUnconnectedBoundUDPRows() throws {
            let tcp = ProcNetTable(path: "/proc/net/tcp", networkProtocol: .tcp, required: true)
            let udp = ProcNetTable(path: "/proc/net/udp", networkProtocol: .udp, required: true)
            let row = { (state: UInt8, port: Int) in
                ProcNetTable.Row(address: "0.0.0.0", port: port, state: state, inode: 1)
            }
            #expect(tcp.isListener(row(0x0A, 80)))
            #expect(!tcp.isListener(row(0x01, 80)))
            #expect(!tcp.isListener(row(0x06, 80)))
            #expect(!tcp.isListener(row(0x07, 80)))
            #expect(udp.isListener(row(0x07, 53)))
            #expect(!udp.isListener(row(0x01, 53)))
            #expect(!udp.isListener(row(0x07, 0)))
        }

        @Test func parsesRowsWithWideSlotNumbersAndTrailingPadding() throws {
            let udp = ProcNetTable(path: "/proc/net/udp", networkProtocol: .udp, required: true)
            let padding = String(repeating: " ", count: 12)
            let text = [
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref"
                    + " pointer drops" + padding,
                " 4736: 0100007F:CAE9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 63555 2"
                    + " 00000000f6c7bc4d 0" + padding,
                "14078: 0100007F:D11F 0100007F:0009 01 00000000:00000000 00:00000000 00000000     0        0 63557 2"
                    + " 00000000c307a7d7 0",
                "",
            ].joined(separator: "\n")
            #expect(
                try udp.parse(text) == [
                    .init(address: "127.0.0.1", port: 51945, state: 7, inode: 63555),
                    .init(address: "127.0.0.1", port: 53535, state: 1, inode: 63557),
                ])
        }

        @Test func readsSocketInodesFromDescriptorLinks() {
            #expect(SocketOwnerScan.socketInode("socket:[18934]") == 18934)
            #expect(SocketOwnerScan.socketInode("pipe:[18940]") == nil)
            #expect(SocketOwnerScan.socketInode("socket:[]") == nil)
            #expect(SocketOwnerScan.socketInode("/tmp/socket:[1]") == nil)
            #expect(SocketOwnerScan.socketInode("anon_inode:[eventpoll]") == nil)
        }
    }
}
