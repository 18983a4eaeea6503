import Testing

@testable import ChainbotHTTP

/// The frame codec on bytes built by hand (RFC 6455 §5): masking, the three length forms, fragments with
/// control frames between them, and every broken rule closing with its code.
struct WebSocketFrameCodecTests {
    static let key: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]

    /// Decodes `bytes` fed `step` bytes at a time into messages, or the close error.
    static func messages(
        _ bytes: [UInt8], step: Int = .max, maxBytes: Int = 1 << 20
    ) -> Result<[WebSocketMessage], WebSocketProtocolError> {
        var decoder = WebSocketFrameDecoder(maxFrameBytes: maxBytes)
        var assembler = WebSocketMessageAssembler(maxMessageBytes: maxBytes)
        var messages: [WebSocketMessage] = []
        var offset = 0
        do throws(WebSocketProtocolError) {
            while offset < bytes.count {
                decoder.append(bytes[offset..<min(bytes.count, offset &+ step)])
                offset = min(bytes.count, offset &+ step)
                while let frame = try decoder.next() {
                    if let message = try assembler.take(frame) { messages.append(message) }
                }
            }
        } catch {
            return .failure(error)
        }
        return .success(messages)
    }

    static func code(_ bytes: [UInt8], maxBytes: Int = 1 << 20) -> WebSocketCloseCode? {
        if case .failure(let error) = messages(bytes, maxBytes: maxBytes) { return error.code }
        return nil
    }

    static func masked(_ frame: WebSocketFrame) -> [UInt8] { frame.encoded(maskingKey: key) }

    @Test func unmasksTheRFCsMaskedHelloExample() throws {
        // RFC 6455 §5.7: a single-frame masked text message "Hello".
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]

        #expect(try Self.messages(bytes).get() == [.text("Hello")])
        #expect(Self.masked(WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))) == bytes)
    }

    @Test(arguments: [0, 125, 126, 65_535, 65_536, 200_000])
    func lengthsTakeSevenSixteenOrSixtyFourBitsBothWays(count: Int) throws {
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let frame = WebSocketFrame(opcode: .binary, payload: payload)
        let server = frame.encoded()
        let expectedHeader = count <= 125 ? 2 : count <= 65_535 ? 4 : 10

        #expect(server.count == expectedHeader + count)
        #expect(server[1] & 0x7f == (count <= 125 ? UInt8(count) : count <= 65_535 ? 126 : 127))
        #expect(try Self.messages(Self.masked(frame), step: 997).get() == [.binary(payload)])
    }

    @Test func joinsFragmentsWithAPingBetweenThemFedByteByByte() throws {
        let bytes =
            Self.masked(WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)))
            + Self.masked(WebSocketFrame(opcode: .ping, payload: [1, 2]))
            + Self.masked(WebSocketFrame(fin: false, opcode: .continuation, payload: Array("lo, ".utf8)))
            + Self.masked(WebSocketFrame(opcode: .continuation, payload: Array("wörld".utf8)))

        #expect(try Self.messages(bytes, step: 1).get() == [.ping([1, 2]), .text("Hello, wörld")])
    }

    @Test func aCharacterSplitAcrossFragmentsIsValidUTF8() throws {
        let euro = Array("€".utf8)
        let bytes =
            Self.masked(WebSocketFrame(fin: false, opcode: .text, payload: Array(euro[..<1])))
            + Self.masked(WebSocketFrame(opcode: .continuation, payload: Array(euro[1...])))

        #expect(try Self.messages(bytes).get() == [.text("€")])
    }

    @Test(arguments: [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func aTextMessageThatIsNotUTF8Closes1007(payload: [UInt8]) {
        #expect(Self.code(Self.masked(WebSocketFrame(opcode: .text, payload: payload))) == .invalidPayload)
    }

    @Test func aFrameOverTheLimitCloses1009FromItsHeaderAlone() {
        // Only the header of a 1 MiB frame: the decoder must not wait for the payload to refuse it.
        let header = Array(
            Self.masked(WebSocketFrame(opcode: .text, payload: [UInt8](repeating: 0x61, count: 1 << 20)))[..<14])

        #expect(Self.code(header, maxBytes: 4096) == .messageTooBig)
    }

    @Test func fragmentsThatAddUpOverTheLimitClose1009() {
        let part = [UInt8](repeating: 0x61, count: 3000)
        let bytes =
            Self.masked(WebSocketFrame(fin: false, opcode: .text, payload: part))
            + Self.masked(WebSocketFrame(opcode: .continuation, payload: part))

        #expect(Self.code(bytes, maxBytes: 4096) == .messageTooBig)
    }

    @Test func brokenFramingRulesClose1002() {
        let text = WebSocketFrame(opcode: .text, payload: Array("hi".utf8))
        let unmasked = text.encoded()
        var reserved = Self.masked(text)
        reserved[0] |= 0x40
        var unknownOpcode = Self.masked(text)
        unknownOpcode[0] = 0x83
        let longPing = Self.masked(WebSocketFrame(opcode: .ping, payload: [UInt8](repeating: 0, count: 126)))
        let fragmentedPing = Self.masked(WebSocketFrame(fin: false, opcode: .ping))
        let strayContinuation = Self.masked(WebSocketFrame(opcode: .continuation, payload: [0x61]))
        let interrupted =
            Self.masked(WebSocketFrame(fin: false, opcode: .text, payload: [0x61])) + Self.masked(text)
        let topBitLength: [UInt8] = [0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1] + Self.key
        let oneByteClose = Self.masked(WebSocketFrame(opcode: .close, payload: [0x03]))
        let reservedCloseCode = Self.masked(WebSocketFrame(opcode: .close, payload: [0x03, 0xed]))  // 1005

        for bytes in [
            unmasked, reserved, unknownOpcode, longPing, fragmentedPing, strayContinuation, interrupted, topBitLength,
            oneByteClose, reservedCloseCode,
        ] {
            #expect(Self.code(bytes) == .protocolError, "\(bytes.prefix(12))")
        }
    }

    @Test func readsACloseFrameWithItsCodeAndReason() throws {
        let bytes = Self.masked(.close(.goingAway, reason: "bye"))

        #expect(try Self.messages(bytes).get() == [.close(.goingAway, "bye")])
        #expect(try Self.messages(Self.masked(WebSocketFrame(opcode: .close))).get() == [.close(nil, "")])
    }

    @Test func aCloseReasonIsCutToFitAControlFrameOnACharacterBoundary() {
        let frame = WebSocketFrame.close(.normal, reason: String(repeating: "é", count: 100))

        #expect(frame.payload.count <= 125)
        #expect(String(validating: frame.payload.dropFirst(2), as: UTF8.self) != nil)
    }
}
