import NIOCore
import NIOHTTP1
import Testing

@testable import Agent

@Suite("HTTP/1.1 request parser")
struct HTTPRequestParserTests {
    /// A request as the parser saw it: the head, the body joined, and whether it ended.
    private struct Parsed: Equatable {
        var method: String
        var uri: String
        var version: HTTPVersion
        var headers: [String]
        var framing: HTTPRequestParser.BodyFraming
        var body = ""
        var ended = false
    }

    /// Feeds `chunks` one after another, as reads from a socket, and collects the requests.
    private func parse(_ chunks: [String], maxHeadBytes: Int = 1024) throws(HTTPRequestError) -> [Parsed] {
        var parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
        var buffer = ByteBuffer()
        var requests: [Parsed] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let part = try parser.next(from: &buffer) {
                switch part {
                case .head(let head, let framing):
                    requests.append(
                        Parsed(
                            method: head.method.rawValue, uri: head.uri, version: head.version,
                            headers: head.headers.map { "\($0.name)=\($0.value)" }, framing: framing))
                case .body(let bytes):
                    requests[requests.count - 1].body += String(buffer: bytes)
                case .end:
                    requests[requests.count - 1].ended = true
                }
            }
        }
        return requests
    }

    private func error(_ text: String, maxHeadBytes: Int = 1024) -> HTTPRequestError? {
        do {
            _ = try self.parse([text], maxHeadBytes: maxHeadBytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func pipelinedRequestsComeOneByOne() throws {
        let requests = try self.parse([
            "\r\nGET /readyz?exclude=a HTTP/1.1\r\nHost: x\r\nX-Value:  padded \t\r\n\r\n"
                + "POST /echo HTTP/1.0\r\ncontent-length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n"
        ])
        #expect(
            requests == [
                Parsed(method: "GET", uri: "/readyz?exclude=a", version: .http1_1, headers: ["Host=x", "X-Value=padded"], framing: .none, ended: true),
                Parsed(method: "POST", uri: "/echo", version: .http1_0, headers: ["content-length=5"], framing: .length(5), body: "hello", ended: true),
                Parsed(method: "GET", uri: "/", version: .http1_1, headers: [], framing: .none, ended: true),
            ])
    }

    @Test func everySplitOfAChunkedRequestParsesTheSame() throws {
        let text = "PUT /x HTTP/1.1\r\ntransfer-encoding: Chunked\r\n\r\n5;name=v\r\nhello\r\n1\r\n!\r\n0\r\ntrailer: t\r\n\r\nGET /next HTTP/1.1\r\n\r\n"
        let whole = try self.parse([text])
        #expect(whole.count == 2)
        #expect(whole[0].body == "hello!" && whole[0].framing == .chunked && whole[0].ended)
        #expect(whole[1].uri == "/next" && whole[1].ended)
        for split in 1..<text.utf8.count {
            let bytes = Array(text.utf8)
            let parts = [String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)]
            #expect(try self.parse(parts) == whole, "split at \(split)")
        }
        let byteByByte = try self.parse(("\r\n" + text).utf8.map { String(decoding: [$0], as: UTF8.self) })
        #expect(byteByByte == whole)
    }

    @Test func anIncompleteRequestWaitsForMoreBytes() throws {
        #expect(try self.parse(["GET / HTTP/1.1\r\nhost: x\r\n"]).isEmpty)
        let partial = try self.parse(["POST / HTTP/1.1\r\ncontent-length: 10\r\n\r\nabc"])
        #expect(partial.count == 1 && partial[0].body == "abc" && !partial[0].ended)
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", "invalid method"),
        ("GET / HTTP/9.9\r\n\r\n", "unsupported HTTP version"),
        ("GET  / HTTP/1.1\r\n\r\n", "invalid request target"),
        ("G(T / HTTP/1.1\r\n\r\n", "invalid method"),
        ("GET /\u{7F} HTTP/1.1\r\n\r\n", "invalid request target"),
        ("GET / HTTP/1.1\nhost: x\r\n\r\n", "line not ended by CRLF"),
        ("GET / HTTP/1.1\r\nbad header line\r\n\r\n", "invalid header field"),
        ("GET / HTTP/1.1\r\nhost : x\r\n\r\n", "invalid header field"),
        ("GET / HTTP/1.1\r\na: b\r\n folded\r\n\r\n", "invalid header field"),
        ("GET / HTTP/1.1\r\na: b\u{1}c\r\n\r\n", "invalid header value"),
        ("POST / HTTP/1.1\r\ncontent-length: -1\r\n\r\n", "invalid content-length"),
        ("POST / HTTP/1.1\r\ncontent-length: 1, 1\r\n\r\n", "invalid content-length"),
        ("POST / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n", "conflicting content-length"),
        ("POST / HTTP/1.1\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n", "both content-length and transfer-encoding"),
        ("POST / HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\n", "transfer-encoding in an HTTP/1.0 request"),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n1000000000000000\r\n", "chunk size is too large"),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n1\r\nab\r\n", "chunk data does not end with CRLF"),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n1\nx", "bare LF in a chunked body"),
    ])
    func malformedRequestsAreRefusedWith400(text: String, reason: String) {
        #expect(self.error(text) == .malformed(reason))
    }

    @Test func garbageIsRefusedBeforeTheHeadIsComplete() {
        #expect(self.error("\u{0}\u{1}binary") == .malformed("invalid method"))
        #expect(self.error("GET / HTTP/9.9\r\nhost: x") == .malformed("unsupported HTTP version"))
        #expect(self.error("GET /path-so-far") == nil)
    }

    @Test func unsupportedTransferCodingsGet501() {
        for coding in ["gzip, chunked", "chunked\r\ntransfer-encoding: chunked", "identity"] {
            #expect(self.error("POST / HTTP/1.1\r\ntransfer-encoding: \(coding)\r\n\r\n")?.status == .notImplemented, "\(coding)")
        }
    }

    @Test func aHeadOverTheLimitIsRefusedWithoutWaitingForItsEnd() {
        let line = "GET / HTTP/1.1\r\nx-padding: " + String(repeating: "a", count: 200)
        #expect(self.error(line, maxHeadBytes: 100)?.status == .badRequest)
        #expect(self.error(line + "\r\n\r\n", maxHeadBytes: 300) == nil)
        let longTrailer = "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n0\r\nt: " + String(repeating: "b", count: 200)
        #expect(self.error(longTrailer, maxHeadBytes: 100)?.status == .badRequest)
    }
}
