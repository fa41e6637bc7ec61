import NIOCore
import NIOHTTP1
import Testing

@testable import HTTPServer

/// The bytes of response heads, as the wire writer puts them, including the longest one.
@Suite("Response bytes")
struct WireFormatTests {
    private func wire(
        _ response: HTTPResponse,
        version: HTTPVersion = .http1_1,
        keepAlive: Bool = true,
        includingBody: Bool = true
    ) -> (head: String, body: ByteBuffer?) {
        let (head, body) = response.wire(
            version: version, keepAlive: keepAlive, includingBody: includingBody, allocator: ByteBufferAllocator())
        return (String(buffer: head), body)
    }

    @Test func smallResponseLeavesInOneBuffer() {
        let (head, body) = self.wire(.json(.ok, #"{"a":1}"#, route: "/"))
        #expect(head == "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}")
        #expect(body == nil)
    }

    @Test func closingHTTP10AnswerToHEADHasLengthButNoBody() {
        let (head, body) = self.wire(
            .text(.serviceUnavailable, "down", route: "/"), version: .http1_0, keepAlive: false, includingBody: false)
        #expect(
            head == "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 4\r\nconnection: close\r\n\r\n")
        #expect(body == nil)
    }

    @Test func keptAliveHTTP10AnswerSaysSo() {
        let (head, _) = self.wire(.text(.ok, "up", route: "/"), version: .http1_0, keepAlive: true)
        #expect(
            head == "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 2\r\n"
                + "connection: keep-alive\r\n\r\nup")
    }

    @Test(arguments: [HTTPResponseStatus.noContent, .notModified, .continue, .custom(code: 199, reasonPhrase: "X")])
    func answersThatEndWithTheirHeadCarryNoLengthAndNoBody(status: HTTPResponseStatus) {
        let text = String(repeating: "b", count: 5000)
        for body in ["", "body", text] {
            var response = HTTPResponse.text(status, body, route: "/")
            response.headers = [:]
            for keepAlive in [true, false] {
                let (head, rest) = self.wire(response, keepAlive: keepAlive)
                let close = keepAlive ? "" : "connection: close\r\n"
                #expect(head == "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n\(close)\r\n")
                #expect(rest == nil)
            }
        }
    }

    @Test func largeBodyFollowsTheHeadUncopied() {
        let text = String(repeating: "x", count: 5000)
        let (head, body) = self.wire(.text(.ok, text, route: "/"))
        #expect(head.hasSuffix("content-length: 5000\r\n\r\n"))
        #expect(body.map { String(buffer: $0) } == text)
    }

    @Test func controlBytesInHeadersAndReasonBecomeSpaces() {
        var response = HTTPResponse(status: .custom(code: 299, reasonPhrase: "Odd\r\nx: y"), route: "/")
        response.headers.add(name: "x-plugin", value: "a\r\nset-cookie: evil\u{7F}")
        let (head, _) = self.wire(response)
        #expect(head == "HTTP/1.1 299 Odd  x: y\r\nx-plugin: a  set-cookie: evil \r\ncontent-length: 0\r\n\r\n")
    }
}
