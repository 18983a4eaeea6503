/// Cuts received bytes into frames (RFC 6455 §5.2), checking each header before its payload arrives.
///
/// A server requires every frame masked (§5.1) and unmasks it; a client refuses a masked one (also §5.1);
/// reserved bits set (no extension is
/// negotiated), an unknown opcode, a fragmented or over-125-byte control frame and a 64-bit length with
/// its top bit set are protocol errors (1002); a frame longer than `maxFrameBytes` is 1009 as soon as its
/// header says so.
public struct WebSocketFrameDecoder: Sendable {
    public let maxFrameBytes: Int
    public let requiresMask: Bool
    /// Whether a masked frame is a protocol error: a client's decoder of the server's frames.
    public let refusesMask: Bool
    /// Received bytes live in `buffer[start...]`.
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxFrameBytes: Int, requiresMask: Bool = true, refusesMask: Bool = false) {
        self.maxFrameBytes = maxFrameBytes
        self.requiresMask = requiresMask
        self.refusesMask = refusesMask
    }

    /// Bytes received but not yet part of a returned frame.
    public var buffered: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, unmasked; nil until its last byte has arrived.
    public mutating func next() throws(WebSocketProtocolError) -> WebSocketFrame? {
        guard buffered >= 2 else { return nil }
        let first = buffer[start]
        let second = buffer[start + 1]
        guard first & 0x70 == 0 else { throw WebSocketProtocolError(.protocolError, "reserved bits set") }
        guard let opcode = WebSocketFrame.Opcode(rawValue: first & 0x0f) else {
            throw WebSocketProtocolError(.protocolError, "unknown opcode \(first & 0x0f)")
        }
        let fin = first & 0x80 != 0
        let masked = second & 0x80 != 0
        if requiresMask && !masked { throw WebSocketProtocolError(.protocolError, "client frames must be masked") }
        if refusesMask && masked { throw WebSocketProtocolError(.protocolError, "server frames must not be masked") }
        var headerLength = 2
        var length = UInt64(second & 0x7f)
        if opcode.isControl && (!fin || length > 125) {
            throw WebSocketProtocolError(.protocolError, "control frames are at most 125 bytes, unfragmented")
        }
        if length == 126 {
            guard buffered >= 4 else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
            headerLength = 4
        } else if length == 127 {
            guard buffered >= 10 else { return nil }
            length = (0..<8).reduce(0) { $0 << 8 | UInt64(buffer[start + 2 + $1]) }
            headerLength = 10
            guard length >> 63 == 0 else { throw WebSocketProtocolError(.protocolError, "length's top bit set") }
        }
        guard length <= UInt64(maxFrameBytes) else {
            throw WebSocketProtocolError(.messageTooBig, "a frame of \(length) bytes; the limit is \(maxFrameBytes)")
        }
        let keyStart = start + headerLength
        let payloadStart = keyStart + (masked ? 4 : 0)
        let payloadEnd = payloadStart + Int(length)
        guard buffer.count >= payloadEnd else { return nil }
        var payload = Array(buffer[payloadStart..<payloadEnd])
        if masked {
            let key = (buffer[keyStart], buffer[keyStart + 1], buffer[keyStart + 2], buffer[keyStart + 3])
            payload.withUnsafeMutableBufferPointer { bytes in
                for index in bytes.indices {
                    switch index & 3 {
                    case 0: bytes[index] ^= key.0
                    case 1: bytes[index] ^= key.1
                    case 2: bytes[index] ^= key.2
                    default: bytes[index] ^= key.3
                    }
                }
            }
        }
        start = payloadEnd
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}
