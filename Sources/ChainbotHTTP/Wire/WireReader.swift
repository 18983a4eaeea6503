/// Buffered reads of HTTP/1.1 message parts from a socket, each bounded in size and time.
///
/// Every read waits at most `idle` for the next bytes and never past `deadline`; both can be changed
/// between messages (a server gives the head and the body their own deadlines).
struct WireReader {
    let socket: Socket
    var deadline: ContinuousClock.Instant
    var idle: Duration
    /// Received bytes live in `buffer[start..<end]`; the rest of `buffer` is room for more.
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var start = 0
    private var end = 0

    init(socket: Socket, deadline: ContinuousClock.Instant, idle: Duration) {
        self.socket = socket
        self.deadline = deadline
        self.idle = idle
    }

    /// Bytes received but not consumed yet.
    var buffered: Int { end - start }

    /// Reads more bytes into the buffer (moving unread bytes to the front, or growing it, when full);
    /// false at end of file.
    private mutating func fill() throws(WireError) -> Bool {
        if start == end { (start, end) = (0, 0) }
        if end == buffer.count {
            if start > 0 {
                let (from, count) = (start, end - start)
                buffer.withUnsafeMutableBytes { all in
                    guard let base = all.baseAddress else { return }
                    base.copyMemory(from: base + from, byteCount: count)
                }
                end = count
                start = 0
            } else {
                buffer += [UInt8](repeating: 0, count: buffer.count)
            }
        }
        let (deadline, idle, socket, offset) = (deadline, idle, socket, end)
        let result = buffer.withUnsafeMutableBytes { all in
            Result { () throws(WireError) -> Int in
                try socket.receive(
                    into: UnsafeMutableRawBufferPointer(rebasing: all[offset...]), until: deadline, idle: idle)
            }
        }
        let count = try result.get()
        end += count
        return count > 0
    }

    /// Reads a message head up to and including its empty line; nil when the connection ends before
    /// any byte of it. Leading empty lines are skipped; more than `limit` bytes is `.headTooLarge`.
    mutating func readHead(limit: Int) throws(WireError) -> [UInt8]? {
        var scanned = 0
        while true {
            while start < end, buffer[start] == 0x0d || buffer[start] == 0x0a { start += 1 }
            var index = start + scanned
            while index < end {
                if buffer[index] == 0x0a {
                    let previous = index - 1 >= start ? buffer[index - 1] : 0
                    let beforeThat = index - 2 >= start ? buffer[index - 2] : 0
                    if previous == 0x0a || (previous == 0x0d && beforeThat == 0x0a) {
                        let head = Array(buffer[start...index])
                        start = index + 1
                        return head
                    }
                }
                index += 1
                if index - start > limit { throw .headTooLarge(limit: limit) }
            }
            scanned = end - start
            let hadBytes = buffered > 0
            guard try fill() else {
                if hadBytes { throw .closed }
                return nil
            }
        }
    }

    /// Takes the bytes received but not consumed (what a client sent right behind an upgrade request).
    mutating func takeBuffered() -> [UInt8] {
        let bytes = Array(buffer[start..<end])
        start = end
        return bytes
    }

    /// Reads exactly `count` bytes.
    mutating func read(count: Int) throws(WireError) -> [UInt8] {
        while buffered < count {
            guard try fill() else { throw .closed }
        }
        let bytes = Array(buffer[start..<start + count])
        start += count
        return bytes
    }

    /// Reads one line without its line ending, at most `limit` bytes long.
    mutating func readLine(limit: Int) throws(WireError) -> [UInt8] {
        // An offset from `start`, since `fill` may move the unread bytes to the front of the buffer.
        var offset = 0
        while true {
            while start + offset < end {
                let index = start + offset
                if buffer[index] == 0x0a {
                    var lineEnd = index
                    if lineEnd > start && buffer[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                    let line = Array(buffer[start..<lineEnd])
                    start = index + 1
                    return line
                }
                offset += 1
                if offset > limit { throw .malformed("line longer than \(limit) bytes") }
            }
            guard try fill() else { throw .closed }
        }
    }

    /// Reads until the peer closes the connection, at most `limit` bytes.
    mutating func readToEnd(limit: Int) throws(WireError) -> [UInt8] {
        while try fill() {
            if buffered > limit { throw .bodyTooLarge(limit: limit) }
        }
        let bytes = Array(buffer[start..<end])
        start = end
        return bytes
    }

    /// Reads a chunked body and its trailer section; the decoded body may be at most `limit` bytes.
    mutating func readChunked(limit: Int, trailerLimit: Int) throws(WireError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(limit: 1024)
            let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingSpaces()
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .malformed("bad chunk size '\(String(decoding: line.prefix(40), as: UTF8.self))'")
            }
            if size == 0 { break }
            if body.count + size > limit { throw .bodyTooLarge(limit: limit) }
            body += try read(count: size)
            guard try readLine(limit: 2).isEmpty else { throw .malformed("chunk data longer than its size") }
        }
        var trailerBytes = 0
        while true {
            let line = try readLine(limit: trailerLimit)
            if line.isEmpty { return body }
            trailerBytes += line.count
            if trailerBytes > trailerLimit { throw .headTooLarge(limit: trailerLimit) }
        }
    }

    /// Reads a body framed as `framing`.
    mutating func readBody(_ framing: BodyFraming, limit: Int, trailerLimit: Int) throws(WireError) -> [UInt8] {
        switch framing {
        case .none: return []
        case .length(let count):
            if count > limit { throw .bodyTooLarge(limit: limit) }
            return try read(count: count)
        case .chunked: return try readChunked(limit: limit, trailerLimit: trailerLimit)
        case .untilClose: return try readToEnd(limit: limit)
        }
    }
}
