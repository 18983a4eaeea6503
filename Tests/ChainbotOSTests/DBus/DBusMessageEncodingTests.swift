import ChainbotOS
import Testing

/// Encoding method calls, checked against the calls `busctl` (sd-bus) sent through the real bus.
struct DBusMessageEncodingTests {
    static let rule =
        "type='signal',sender='org.freedesktop.systemd1',path='/org/freedesktop/systemd1',"
        + "interface='org.freedesktop.systemd1.Manager',member='UnitFilesChanged'"

    @Test func encodesAnAddMatchCallWithTheBodyBytesBusctlSent() throws {
        let captured = CapturedMessages.addMatchCall
        let theirs = try DBusMessage.decode(captured)
        let ours = DBusMessage.methodCall(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
            member: "AddMatch", body: [.string(Self.rule)])
        let encoded = try ours.encoded(serial: theirs.serial)
        // sd-bus orders header fields differently and the bus appended SENDER, so the bodies are compared
        // byte for byte and the headers field by field.
        let bodyLength = Int(captured[4]) | Int(captured[5]) << 8
        #expect(Array(encoded.suffix(bodyLength)) == Array(captured.suffix(bodyLength)))
        var decoded = try DBusMessage.decode(encoded)
        decoded.sender = theirs.sender
        decoded.flags = theirs.flags
        #expect(decoded == theirs)
    }

    @Test func encodesSystemdsSubscribeCallWithTheHeaderBusctlSent() throws {
        let theirs = try DBusMessage.decode(CapturedMessages.subscribeCall)
        #expect(theirs.bodySignature == "")
        let subscribe = DBusMessage.methodCall(
            destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1",
            interface: "org.freedesktop.systemd1.Manager", member: "Subscribe")
        var decoded = try DBusMessage.decode(try subscribe.encoded(serial: theirs.serial))
        decoded.sender = theirs.sender
        decoded.flags = theirs.flags
        #expect(decoded == theirs)
    }

    @Test func aDecodedSignalEncodesBackToAMessageThatDecodesTheSame() throws {
        let original = try DBusMessage.decode(CapturedMessages.unitPropertiesChanged)
        let again = try DBusMessage.decode(try original.encoded(serial: original.serial))
        #expect(again == original)
    }

    @Test func theValuesOfEveryBasicTypeSurviveARoundTrip() throws {
        var message = DBusMessage(kind: .signal, path: "/a", interface: "a.b", member: "C")
        message.body = [
            .byte(7), .boolean(true), .int16(-2), .uint16(3), .int32(-4), .uint32(5), .int64(-6), .uint64(7),
            .double(0.5), .string("ü"), .objectPath("/x/y"), .signature("a{sv}"),
            .array(elementSignature: "(yt)", [.structure([.byte(1), .uint64(2)])]),
            .array(elementSignature: "s", []), .variant(.array(elementSignature: "t", [.uint64(9)])),
        ]
        let decoded = try DBusMessage.decode(try message.encoded(serial: 9))
        #expect(decoded.body == message.body)
        #expect(decoded.serial == 9)
    }

    @Test func anArrayHoldingAValueOfAnotherTypeIsNotEncoded() {
        var message = DBusMessage(kind: .signal, path: "/a", interface: "a.b", member: "C")
        message.body = [.array(elementSignature: "s", [.uint32(1)])]
        #expect(throws: DBusError.self) { try message.encoded(serial: 1) }
    }
}
