import ChainbotAlexOSSimulator
import ChainbotHTTP
import Dispatch
import Glibc

// chainbot-alexos-sim [--listen HOST:PORT] [--no-deregister] [--health-status TEXT]
// Prints the bound port as the first line of stdout, serves until SIGINT or SIGTERM, exits 0.

let usage = """
    usage: chainbot-alexos-sim [--listen HOST:PORT] [--no-deregister] [--health-status TEXT]

      --listen HOST:PORT     address to serve on (default 127.0.0.1:8000; port 0 picks a free one)
      --no-deregister        DELETE /api/agents/{name} answers 405, like a registry that cannot deregister
      --health-status TEXT   the .status of GET /api/status/health (default healthy)

    The bound port is printed on the first line of stdout. See contrib/alexos-sim/README.md.
    """

func fail(_ message: String) -> Never {
    writeText("chainbot-alexos-sim: \(message)\n", to: 2)
    exit(64)
}

var host = "127.0.0.1"
var port = 8000
var options = AlexOSSimulator.Options()
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--listen":
        guard let value = arguments.popFirst(), let colon = value.lastIndex(of: ":"),
            let number = Int(value[value.index(after: colon)...]), (0...65535).contains(number)
        else { fail("--listen wants HOST:PORT, such as 127.0.0.1:8000") }
        host = String(value[..<colon]).trimmingCharacters(in: "[]")
        port = number
    case "--no-deregister": options.canDeregister = false
    case "--health-status":
        guard let value = arguments.popFirst() else { fail("--health-status wants a value") }
        options.healthStatus = value
    case "-h", "--help":
        writeText(usage + "\n", to: 1)
        exit(0)
    default: fail("unknown argument '\(argument)'\n\(usage)")
    }
}

let simulator: AlexOSSimulatorServer
do { simulator = try AlexOSSimulatorServer(host: host, port: port, options: options) } catch {
    writeText("chainbot-alexos-sim: \(error)\n", to: 2)
    exit(2)
}
writeText("\(simulator.port)\n", to: 1)
writeText("chainbot-alexos-sim: serving ALEX OS on \(simulator.baseURL)\n", to: 2)

await SignalWait.untilTerminated()
await simulator.stop()
exit(0)
