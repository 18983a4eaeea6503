/// Something that sends an HTTP request and returns the response: `HTTPClient`, or a fake in tests.
///
/// The seam providers take, so that what they decide on a response can be tested without sockets.
public protocol HTTPTransport: Sendable {
    /// Sends `request` (absolute `http://` URL) and returns the response, whatever its status.
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}

extension HTTPClient: HTTPTransport {}
