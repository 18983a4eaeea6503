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
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw HTTPError(
                .malformedJSON, method: method, url: url, message: "the request body is not the expected JSON",
                bodyExcerpt: HTTPError.excerpt(of: body, contentType: headers["Content-Type"]))
        }
    }

    /// The body parsed as any JSON value; throws `.malformedJSON` with an excerpt of the body.
    public func jsonValue() throws(HTTPError) -> JSONValue {
        try decodeJSON(DecodedJSON.self).value
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
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch {
            let contentType = headers["Content-Type"] ?? "no Content-Type"
            throw HTTPError(
                .malformedJSON, method: requestMethod, url: url, status: status,
                message: "HTTP \(status): the body is not the expected JSON (\(contentType))",
                bodyExcerpt: HTTPError.excerpt(of: bytes, contentType: headers["Content-Type"]), requestSent: true)
        }
    }

    /// A 2xx body parsed as any JSON value (see `decodeJSON`).
    public func jsonValue() throws(HTTPError) -> JSONValue {
        try decodeJSON(DecodedJSON.self).value
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

/// Any JSON document decoded through `JSONDecoder` into a `JSONValue` (object members sorted by key,
/// since the decoder does not keep their order).
struct DecodedJSON: Decodable {
    var value: JSONValue

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [(String, JSONValue)] = []
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try container.decode(DecodedJSON.self, forKey: key).value))
            }
            value = .object(members)
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !container.isAtEnd { items.append(try container.decode(DecodedJSON.self).value) }
            value = .array(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            value = .int(int)
        } else if let double = try? container.decode(Double.self) {
            value = .double(double)
        } else {
            value = .string(try container.decode(String.self))
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
