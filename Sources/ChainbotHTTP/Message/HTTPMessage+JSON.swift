import ChainbotCore
import FoundationEssentials

extension HTTPRequest {
    /// A request whose body is `value` encoded as JSON (keys sorted), with `Content-Type: application/json`.
    public static func json(
        _ method: HTTPMethod, url: String, body value: some Encodable & Sendable, headers: HTTPHeaders = [:]
    ) throws(HTTPError) -> HTTPRequest {
        let bytes: [UInt8]
        do { bytes = try JSONCoding.encode(value) } catch {
            throw HTTPError(.invalidRequest, method: method, url: url, message: "cannot encode the JSON body: \(error)")
        }
        var request = HTTPRequest(method: method, url: url, headers: headers, body: bytes)
        request.headers["Content-Type"] = "application/json"
        return request
    }

    /// A request whose body is the JSON text of `value`, members in their order.
    public init(method: HTTPMethod, url: String, json value: JSONValue, headers: HTTPHeaders = [:]) {
        self.init(method: method, url: url, headers: headers, body: Array(value.serialized().utf8))
        self.headers["Content-Type"] = "application/json"
    }

    /// Decodes the body as JSON into `type`; throws `.malformedJSON` with an excerpt of the body.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch { throw malformedJSON() }
    }

    /// The body parsed as any JSON value, members in their order; throws `.malformedJSON` with an excerpt of
    /// the body.
    public func jsonValue() throws(HTTPError) -> JSONValue {
        do { return try JSONValue(parsing: body) } catch { throw malformedJSON() }
    }

    /// `.malformedJSON` naming method and URL, with an excerpt of the body.
    private func malformedJSON() -> HTTPError {
        HTTPError(
            .malformedJSON, method: method, url: url, message: "the request body is not the expected JSON",
            bodyExcerpt: HTTPError.excerpt(of: body, contentType: headers["Content-Type"]))
    }
}

extension HTTPResponse {
    /// A response whose body is the JSON text of `value`, members in their order.
    public static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"], body: Array(value.serialized().utf8))
    }

    /// Decodes a 2xx body as JSON into `type`.
    ///
    /// Throws `.status` when the status is not 2xx (the body is the server's error, not the value) and
    /// `.malformedJSON` naming method, URL and status with an excerpt when the body is not that JSON.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        try ensureSuccess()
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch { throw malformedJSON() }
    }

    /// `.malformedJSON` naming method, URL and status, with an excerpt of the body.
    private func malformedJSON() -> HTTPError {
        let contentType = headers["Content-Type"] ?? "no Content-Type"
        return HTTPError(
            .malformedJSON, method: requestMethod, url: url, status: status,
            message: "HTTP \(status): the body is not the expected JSON (\(contentType))",
            bodyExcerpt: HTTPError.excerpt(of: bytes, contentType: headers["Content-Type"]), requestSent: true)
    }

    /// A 2xx body parsed as any JSON value, members in their order; throws as `decodeJSON` does.
    public func jsonValue() throws(HTTPError) -> JSONValue {
        try ensureSuccess()
        do { return try JSONValue(parsing: bytes) } catch { throw malformedJSON() }
    }
}

/// JSON encoding with sorted keys, so bodies are stable.
enum JSONCoding {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }
}
