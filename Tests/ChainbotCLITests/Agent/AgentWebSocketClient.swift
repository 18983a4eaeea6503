import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc

/// Runs `contrib/websocket-client.py` (Debian's python3-websockets, a client chainbot did not write)
/// against an agent endpoint and reads what it printed: one line per message, then `closed CODE REASON`.
struct AgentWebSocketClient {
    static let python = "/usr/bin/python3"
    static let script = Fixtures.path("contrib/websocket-client.py")
    static let isAvailable =
        Fixtures.exists(python) && Fixtures.exists("/usr/lib/python3/dist-packages/websockets/__init__.py")

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one run printed.
    struct Transcript {
        var lines: [String]

        /// The JSON messages, in order.
        var messages: [JSONValue] { lines.compactMap { try? JSONValue(parsing: Self.withoutStamp($0)) } }
        /// The `event` messages' `regarding` and count, `ConfigFile/one ×1`.
        var events: [String] {
            messages.filter { $0["type"]?.string == "event" }.map { message in
                "\(message["event"]?["regarding"]?.string ?? "?") ×\(message["event"]?["count"]?.int ?? 0)"
            }
        }
        /// The `event` messages' change numbers.
        var ids: [Int] { messages.filter { $0["type"]?.string == "event" }.compactMap { $0["id"]?.int } }
        var closed: String? { lines.last { $0.hasPrefix("closed ") } }
        var refused: String? { lines.first { $0.hasPrefix("refused ") } }

        static func withoutStamp(_ line: String) -> String {
            guard let space = line.firstIndex(of: " "), line[..<space].allSatisfy(\.isNumber) else { return line }
            return String(line[line.index(after: space)...])
        }
    }

    /// Runs the client to its end with `arguments` after the URL.
    static func run(port: Int, _ target: String, _ arguments: [String] = []) async throws -> Transcript {
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                python, [script, "ws://127.0.0.1:\(port)\(target)"] + arguments, timeout: .seconds(120)))
        let output = String(decoding: result.standardOutput, as: UTF8.self)
        guard result.termination == .exited(0) || result.termination == .exited(3) else {
            throw Failure(
                description: "\(result.termination): \(String(decoding: result.standardError, as: UTF8.self))")
        }
        return Transcript(lines: output.split(separator: "\n").map(String.init))
    }

    /// A client running in the background, its output in a log file.
    struct Background {
        let process: DetachedProcess
        let log: String

        static func start(port: Int, _ target: String, _ arguments: [String], log: String) throws -> Background {
            let process = try DetachedProcess.launch(
                python, [script, "ws://127.0.0.1:\(port)\(target)"] + arguments, logPath: log)
            return Background(process: process, log: log)
        }

        var transcript: Transcript {
            Transcript(lines: (Fixtures.readText(log) ?? "").split(separator: "\n").map(String.init))
        }

        /// Waits until the client printed a line `holds` accepts (generous: a loaded 2-core machine).
        func wait(for description: String, within timeout: Duration = .seconds(60), _ holds: (String) -> Bool)
            async throws
        {
            let end = ContinuousClock.now + timeout
            while ContinuousClock.now < end {
                if transcript.lines.contains(where: holds) { return }
                if process.hasExited(), !transcript.lines.contains(where: holds) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            process.terminate()
            throw Failure(description: "the client never printed \(description): \(transcript.lines.suffix(5))")
        }
    }
}
