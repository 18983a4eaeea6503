import ChainbotOS
import Testing

/// Decoding messages that systemd and dbus-daemon wrote (see `CapturedMessages`).
struct DBusMessageDecodingTests {
    @Test func decodesSystemdsPropertiesChangedSignalForAUnit() throws {
        let bytes = CapturedMessages.unitPropertiesChanged
        let message = try DBusMessage.decode(bytes)
        #expect(message.kind == .signal)
        #expect(message.path == "/org/freedesktop/systemd1/unit/web_2eservice")
        #expect(message.interface == "org.freedesktop.DBus.Properties")
        #expect(message.member == "PropertiesChanged")
        #expect(message.bodySignature == "sa{sv}as")
        #expect(message.body.first == .string("org.freedesktop.systemd1.Unit"))
        let changed = try #require(message.body.dropFirst().first?.stringVariantDictionary)
        #expect(changed["ActiveState"] == .string("active"))
        #expect(changed["SubState"] == .string("running"))
        #expect(changed["Job"] == .structure([.uint32(0), .objectPath("/")]))
        #expect(
            changed["ActiveEnterTimestamp"].map { if case .uint64(let time) = $0 { time > 0 } else { false } } == true)
    }

    @Test func theFrameLengthOfACapturedMessageIsItsWholeLength() throws {
        let first = CapturedMessages.unitPropertiesChanged
        let stream = first + CapturedMessages.unitFilesChanged
        #expect(try DBusMessage.frameLength(stream[...]) == first.count)
        #expect(try DBusMessage.frameLength(stream[first.count...]) == CapturedMessages.unitFilesChanged.count)
        #expect(try DBusMessage.frameLength(stream[0..<15]) == nil)
    }

    @Test func namesTheUnitOfAPropertiesChangedOnTheUnitInterfaceOnly() throws {
        let unit = try DBusMessage.decode(CapturedMessages.unitPropertiesChanged)
        let service = try DBusMessage.decode(CapturedMessages.servicePropertiesChanged)
        #expect(SystemdSignal.changedUnit(unit, anyUnit: "*") == "web.service")
        #expect(SystemdSignal.changedUnit(service, anyUnit: "*") == nil)
    }

    @Test func unitFilesChangedAndTheEndOfAReloadMeanAnyUnit() throws {
        let files = try DBusMessage.decode(CapturedMessages.unitFilesChanged)
        let started = try DBusMessage.decode(CapturedMessages.reloadingStarted)
        let finished = try DBusMessage.decode(CapturedMessages.reloadingFinished)
        #expect(started.body == [.boolean(true)])
        #expect(SystemdSignal.changedUnit(files, anyUnit: "*") == "*")
        #expect(SystemdSignal.changedUnit(started, anyUnit: "*") == nil)
        #expect(SystemdSignal.changedUnit(finished, anyUnit: "*") == "*")
    }

    @Test func aTruncatedMessageIsMalformed() {
        let bytes = CapturedMessages.unitPropertiesChanged
        #expect(throws: DBusError.self) { try DBusMessage.decode(Array(bytes.dropLast(8))) }
        #expect(throws: DBusError.self) { try DBusMessage.decode(Array(bytes.prefix(40))) }
    }

    @Test func anArrayLongerThanTheMessageIsMalformed() {
        var bytes = CapturedMessages.unitFilesChanged
        // The header-field array's length (offset 12) pointing past the end.
        bytes[12] = 0xFF
        bytes[13] = 0xFF
        #expect(throws: DBusError.self) { try DBusMessage.decode(bytes) }
    }

    @Test func anUnknownEndiannessByteIsMalformed() {
        var bytes = CapturedMessages.unitFilesChanged
        bytes[0] = UInt8(ascii: "x")
        #expect(throws: DBusError.malformed("endianness byte 120")) { try DBusMessage.decode(bytes) }
    }
}

extension DBusMessageDecodingTests {
    @Test func decodesOnlyTheFirstBodyValuesWhenAsked() throws {
        let message = try DBusMessage.decode(CapturedMessages.unitPropertiesChanged, bodyValues: 1)
        #expect(message.body == [.string("org.freedesktop.systemd1.Unit")])
        #expect(message.path == "/org/freedesktop/systemd1/unit/web_2eservice")
    }
}
