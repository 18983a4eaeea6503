import Synchronization

/// A small HTTP/1.1 client over plain TCP: one connection per request, bounded in time and size.
///
/// Every exchange runs on its own thread with non-blocking sockets and `poll`, so a slow or stuck
/// server never blocks Swift's cooperative threads; cancelling the calling task aborts the exchange.
/// Any status is returned as a response; `ensureSuccess()` / `decodeJSON` turn non-2xx into errors.
public struct HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Longest wait for the TCP connection to be established.
        public var connectTimeout: Duration = .seconds(5)
        /// Longest wait for the next bytes while sending or receiving.
        public var readTimeout: Duration = .seconds(30)
        /// Longest time for one whole exchange (connect, send, receive), per redirect hop.
        public var timeout: Duration = .seconds(60)
        /// Largest response body accepted, decoded (8 MiB).
        public var maxResponseBytes = 8 * 1024 * 1024
        /// Largest response head (status line and headers) accepted.
        public var maxHeaderBytes = 64 * 1024
        /// Redirects followed before giving up; 0 returns the 3xx response itself.
        public var maxRedirects = 3
        public var userAgent = "chainbot"

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sends `request` to its absolute `http://` URL and returns the response, whatever its status.
    ///
    /// Follows up to `maxRedirects` redirects (303, and 301/302 after a POST, become a GET without a
    /// body; 307/308 repeat the request); a redirect back to a URL already visited is `.redirectLoop`.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        var url = try HTTPURL(parsing: request.url)
        var current = request
        var visited = [url.description]
        var hops = 0
        while true {
            var response = try await exchange(current, url: url)
            response.requestMethod = current.method
            response.url = url.description
            guard HTTPStatus.isRedirect(response.status), configuration.maxRedirects > 0,
                let location = response.headers["Location"]
            else { return response }
            let next: HTTPURL
            do { next = try url.resolving(location) } catch {
                var error = error
                error.message = "redirect from \(url) to an unusable Location: \(error.message)"
                error.method = current.method
                throw error
            }
            guard !visited.contains(next.description) else {
                throw HTTPError(
                    .redirectLoop, method: request.method, url: request.url, status: response.status,
                    message: "redirect loop: " + (visited + [next.description]).joined(separator: " -> "),
                    requestSent: true)
            }
            hops += 1
            guard hops <= configuration.maxRedirects else {
                throw HTTPError(
                    .tooManyRedirects, method: request.method, url: request.url, status: response.status,
                    message: "more than \(configuration.maxRedirects) redirects: "
                        + (visited + [next.description]).joined(separator: " -> "),
                    requestSent: true)
            }
            visited.append(next.description)
            if response.status == 303 || ((response.status == 301 || response.status == 302) && current.method == .post)
            {
                if current.method != .head { current.method = .get }
                current.body = []
                current.headers.remove("Content-Type")
            }
            current.url = next.description
            url = next
        }
    }

    /// One request and response on a new connection, run on a worker thread.
    private func exchange(_ request: HTTPRequest, url: HTTPURL) async throws(HTTPError) -> HTTPResponse {
        let exchange = ClientExchange(
            configuration: configuration, request: request, url: url, abort: ExchangeAbort())
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) in
                do {
                    try WorkerThread.start { continuation.resume(returning: exchange.run()) }
                } catch {
                    continuation.resume(
                        returning: .failure(
                            HTTPError(.system, method: request.method, url: url.description, message: "\(error)")))
                }
            }
        } onCancel: {
            exchange.abort.cancel()
        }
        return try result.get()
    }
}

/// Lets a cancelled task abort an exchange in flight by shutting its socket down.
final class ExchangeAbort: Sendable {
    private let state = Mutex<(cancelled: Bool, socket: Socket?)>((false, nil))

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func cancel() {
        state.withLock {
            $0.cancelled = true
            $0.socket?.shutdown()
        }
    }

    /// Registers the exchange's socket; false (and the socket is shut down) when already cancelled.
    func attach(_ socket: Socket) -> Bool {
        state.withLock {
            $0.socket = socket
            if $0.cancelled { socket.shutdown() }
            return !$0.cancelled
        }
    }

    func detach() { state.withLock { $0.socket = nil } }
}
