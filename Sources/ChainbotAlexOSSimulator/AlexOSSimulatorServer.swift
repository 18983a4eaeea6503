import ChainbotHTTP

/// An `AlexOSSimulator` served over HTTP (by default on an ephemeral loopback port).
public final class AlexOSSimulatorServer: Sendable {
    public let simulator: AlexOSSimulator
    public let server: HTTPServer

    /// Starts serving at once; throws `.bindFailed` when the address is taken.
    public init(
        host: String = "127.0.0.1", port: Int = 0, options: AlexOSSimulator.Options = AlexOSSimulator.Options()
    ) throws(HTTPError) {
        let simulator = AlexOSSimulator(options: options)
        self.simulator = simulator
        server = try HTTPServer(configuration: HTTPServer.Configuration(host: host, port: port)) { request in
            await simulator.handle(request)
        }
    }

    /// `http://HOST:PORT`, the ALEX OS base URL to give chainbot.
    public var baseURL: String { server.baseURL }
    public var port: Int { server.port }

    /// Stops serving; requests in flight (a `delay` fault) get `grace` to finish.
    public func stop(grace: Duration = .seconds(2)) async { await server.stop(grace: grace) }
}
