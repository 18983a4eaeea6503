import ChainbotCore
import Testing

@testable import ChainbotHTTP

/// `jsonValue()` reads a body with Core's one JSON parser: members and numbers as the peer wrote them.
@Suite struct JSONBodyTests {
    static let body = Array(#"{"zeta": 1, "alpha": [2.50, 18446744073709551616], "mid": {"b": true, "a": null}}"#.utf8)

    @Test func responseBodyKeepsMemberOrderAndNumbersAsWritten() throws {
        let value = try HTTPResponse(headers: ["Content-Type": "application/json"], body: Self.body).jsonValue()

        #expect(value.object?.map(\.0) == ["zeta", "alpha", "mid"])
        #expect(value["mid"]?.object?.map(\.0) == ["b", "a"])
        #expect(value.serialized() == #"{"zeta":1,"alpha":[2.50,18446744073709551616],"mid":{"b":true,"a":null}}"#)
    }

    @Test func requestBodyKeepsMemberOrder() throws {
        let value = try HTTPRequest(method: .post, url: "http://127.0.0.1/x", body: Self.body).jsonValue()

        #expect(value.object?.map(\.0) == ["zeta", "alpha", "mid"])
    }

}
