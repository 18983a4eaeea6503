import ChainbotOS
import Glibc

@testable import ChainbotHTTP

/// A Server-Sent Events client over a raw loopback socket: one GET, then the stream's messages one at a
/// time as they arrive (the project's HTTPClient hands out whole bodies only). Comments and `retry:` lines
/// are skipped. Used by one task at a time; every blocking read runs on its own thread.
final class EventStreamClient: @unchecked Sendable {
    struct Message: Equatable, Sendable, CustomStringConvertible {
        var id: String?
        var event: String?
        var data: String

        /// The value of `"name":` in `data` (a flat JSON object), without quotes.
        func field(_ name: String) -> String? {
            guard let range = data.firstRange(of: "\"\(name)\":") else { return nil }
            let rest = data[range.upperBound...]
            if rest.hasPrefix("\"") { return String(rest.dropFirst().prefix { $0 != "\"" }) }
            return String(rest.prefix { $0 != "," && $0 != "}" })
        }

        /// `event regarding ×count`, for comparing lists of messages.
        var summary: String { "\(event ?? "-") \(field("regarding") ?? "-") ×\(field("count") ?? "-")" }
        var description: String { "id \(id ?? "-"): \(summary)" }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Socket
    private var reader: WireReader
    private var pending = ""
    /// The response head, as text.
    private(set) var head = ""

    private init(socket: Socket) {
        self.socket = socket
        reader = WireReader(socket: socket, deadline: .now + .seconds(30), idle: .seconds(30))
    }

    /// Connects to `127.0.0.1:port`, asks for `path` with `headers`, and reads the response head.
    static func connect(port: Int, path: String, headers: [(String, String)] = []) async throws -> EventStreamClient {
        try await Self.offPool {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, until: .now + .seconds(5))
            var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            for (name, value) in headers { request += "\(name): \(value)\r\n" }
            try socket.send(Array((request + "\r\n").utf8), until: .now + .seconds(5), idle: .seconds(5))
            let client = EventStreamClient(socket: socket)
            guard let head = try client.reader.readHead(limit: 64 * 1024) else { throw Failure(description: "no head") }
            client.head = String(decoding: head, as: UTF8.self)
            return client
        }
    }

    /// The next message with data, waiting at most `timeout`.
    func next(within timeout: Duration = .seconds(30)) async throws -> Message {
        try await Self.offPool {
            self.reader.deadline = .now + timeout
            self.reader.idle = timeout
            while true {
                if let message = self.takeMessage() { return message }
                let sizeLine = String(decoding: try self.reader.readLine(limit: 64), as: UTF8.self)
                guard let size = Int(sizeLine, radix: 16) else {
                    throw Failure(description: "chunk size '\(sizeLine)'")
                }
                if size == 0 { throw Failure(description: "the stream ended") }
                self.pending += String(decoding: try self.reader.read(count: size), as: UTF8.self)
                _ = try self.reader.readLine(limit: 2)
            }
        }
    }

    /// The next `count` messages, in order.
    func next(_ count: Int, within timeout: Duration = .seconds(30)) async throws -> [Message] {
        var messages: [Message] = []
        for _ in 0..<count { messages.append(try await next(within: timeout)) }
        return messages
    }

    func close() { socket.close() }

    /// Removes the first complete message from `pending`; nil when none is complete yet.
    private func takeMessage() -> Message? {
        while let end = pending.firstRange(of: "\n\n") {
            let block = pending[..<end.lowerBound]
            pending = String(pending[end.upperBound...])
            var message = Message(data: "")
            var hasData = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("id: ") { message.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { message.event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") {
                    message.data += (hasData ? "\n" : "") + line.dropFirst(6)
                    hasData = true
                }
            }
            if hasData { return message }
        }
        return nil
    }

    private static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try WorkerThread.start {
                    do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
