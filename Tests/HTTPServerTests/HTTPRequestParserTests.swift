import NIOCore
import NIOHTTP1
import Testing

@testable import HTTPServer

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
                case .head(let head, let framing, _):
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
                + "POST /echo HTTP/1.0\r\ncontent-length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nhost: y\r\n\r\n"
        ])
        #expect(
            requests == [
                Parsed(
                    method: "GET", uri: "/readyz?exclude=a", version: .http1_1, headers: ["Host=x", "X-Value=padded"],
                    framing: .none, ended: true),
                Parsed(
                    method: "POST", uri: "/echo", version: .http1_0, headers: ["content-length=5"], framing: .length(5),
                    body: "hello", ended: true),
                Parsed(method: "GET", uri: "/", version: .http1_1, headers: ["host=y"], framing: .none, ended: true),
            ])
    }

    @Test func everySplitOfAChunkedRequestParsesTheSame() throws {
        let text =
            "PUT /x HTTP/1.1\r\nhost: x\r\ntransfer-encoding: Chunked\r\n\r\n5;name=v\r\nhello\r\n1 ; a = \"q\\\"\" ; b\r\n!\r\n0\r\ntrailer: t\r\n\r\n"
            + "GET /next HTTP/1.1\r\nhost: x\r\n\r\n"
        let whole = try self.parse([text])
        #expect(whole.count == 2)
        #expect(whole[0].body == "hello!" && whole[0].framing == .chunked && whole[0].ended)
        #expect(whole[1].uri == "/next" && whole[1].ended)
        for split in 1..<text.utf8.count {
            let bytes = Array(text.utf8)
            let parts = [
                String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self),
            ]
            #expect(try self.parse(parts) == whole, "split at \(split)")
        }
        let byteByByte = try self.parse(("\r\n" + text).utf8.map { String(decoding: [$0], as: UTF8.self) })
        #expect(byteByByte == whole)
    }

    @Test func anIncompleteRequestWaitsForMoreBytes() throws {
        #expect(try self.parse(["GET / HTTP/1.1\r\nhost: x\r\n"]).isEmpty)
        let partial = try self.parse(["POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc"])
        #expect(partial.count == 1 && partial[0].body == "abc" && !partial[0].ended)
    }

    /// A chunked POST with `host` whose body starts with `body`.
    private static func chunked(_ body: String) -> String {
        "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n" + body
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
        ("POST / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n", "more than one content-length"),
        ("POST / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 1\r\n\r\n", "more than one content-length"),
        ("POST / HTTP/1.1\r\ncontent-length: 1\t\r\n\r\n", "tab after a content-length or transfer-encoding value"),
        (
            "POST / HTTP/1.1\r\ntransfer-encoding: chunked\t\r\n\r\n",
            "tab after a content-length or transfer-encoding value"
        ),
        (
            "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n",
            "both content-length and transfer-encoding"
        ),
        ("POST / HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\n", "transfer-encoding in an HTTP/1.0 request"),
        (Self.chunked("zz\r\n"), "invalid chunk size"),
        (Self.chunked("10000000000000000\r\n"), "chunk size is too large"),
        (Self.chunked("8000000000000000\r\n"), "chunk size is too large"),
        (Self.chunked("00000000000000001\r\n"), "chunk size is too large"),
        (Self.chunked("1\r\nab\r\n"), "chunk data does not end with CRLF"),
        (Self.chunked("1\nx"), "bare LF in a chunked body"),
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
            #expect(
                self.error("POST / HTTP/1.1\r\ntransfer-encoding: \(coding)\r\n\r\n")?.status == .notImplemented,
                "\(coding)")
        }
    }

    @Test func aHeadOverTheLimitIsRefusedWithoutWaitingForItsEnd() {
        let line = "GET / HTTP/1.1\r\nhost: x\r\nx-padding: " + String(repeating: "a", count: 200)
        #expect(self.error(line, maxHeadBytes: 100)?.status == .badRequest)
        #expect(self.error(line + "\r\n\r\n", maxHeadBytes: 300) == nil)
        let longTrailer = Self.chunked("0\r\nt: " + String(repeating: "b", count: 200))
        #expect(
            self.error(longTrailer, maxHeadBytes: 100)
                == .malformed("chunk extensions and trailer fields are larger than 100 bytes"))
    }

    @Test func trailerLinesAreParsedInALoopWithinTheLimit() throws {
        // Parsed one line per turn of a loop: 150,000 lines once overflowed the stack by recursion.
        let tooMany = Self.chunked("0\r\n" + String(repeating: "x-t: 1\r\n", count: 150_000) + "\r\n")
        let tooLarge = HTTPRequestError.malformed("chunk extensions and trailer fields are larger than 1048576 bytes")
        #expect(self.error(tooMany, maxHeadBytes: 1 << 20) == tooLarge)
        let manyLines = Self.chunked("1\r\na\r\n0\r\n" + String(repeating: "t:\r\n", count: 100_000) + "\r\n")
        let many = try self.parse([manyLines], maxHeadBytes: 1 << 20)
        #expect(many.count == 1 && many[0].body == "a" && many[0].ended)
        let manyChunks = try self.parse([Self.chunked(String(repeating: "1\r\nb\r\n", count: 20_000) + "0\r\n\r\n")])
        #expect(manyChunks.count == 1 && manyChunks[0].body.utf8.count == 20_000 && manyChunks[0].ended)
    }

    @Test(arguments: [
        ("t : v", "invalid header field"),
        (" folded", "invalid header field"),
        ("t: a\u{0}b", "invalid header value"),
        ("t: a\rb", "invalid header value"),
        (": v", "invalid header field"),
        ("no colon", "invalid header field"),
        ("Content-Length: 5", "framing field in the trailers"),
        ("transfer-encoding: chunked", "framing field in the trailers"),
    ])
    func trailerFieldsFollowTheHeaderFieldSyntax(line: String, reason: String) {
        #expect(self.error(Self.chunked("0\r\nok: 1\r\n\(line)\r\n\r\n")) == .malformed(reason))
    }

    @Test func aHostTrailerIsIgnored() throws {
        let requests = try self.parse([Self.chunked("0\r\nHost: elsewhere\r\n\r\nGET / HTTP/1.1\r\nhost: x\r\n\r\n")])
        #expect(requests.count == 2 && requests.allSatisfy(\.ended) && requests[0].headers.contains("host=x"))
    }

    @Test(arguments: [
        "5;name", "5;name=value", "5;a=\"quoted; \\\"pair\\\" \u{80}\"", "5;a;b=c;d=\"\"", "5 ;a", "5\t; a = b ;c",
        "5;a=b ; c", "00005", "5;!#$%&'*+-.^_`|~=x",
    ])
    func validChunkExtensionsAreIgnored(line: String) throws {
        let requests = try self.parse([Self.chunked("\(line)\r\nhello\r\n0;last\r\n\r\n")])
        #expect(requests.count == 1 && requests[0].body == "hello" && requests[0].ended)
    }

    @Test(arguments: [
        ("5 garbage", "invalid chunk extension"), ("5;", "invalid chunk extension"), ("5; ", "invalid chunk extension"),
        ("5 ", "invalid chunk extension"), ("5;a ", "invalid chunk extension"), ("5;a=", "invalid chunk extension"),
        ("5;a b", "invalid chunk extension"), ("5;=b", "invalid chunk extension"),
        ("5;a=b c", "invalid chunk extension"),
        ("5;a=\"open", "invalid chunk extension"), ("5;a=\"x\"y", "invalid chunk extension"),
        ("5;a=\u{0}", "invalid chunk extension"),
        ("5;a\u{0}", "invalid chunk extension"), ("5;a\rb", "invalid chunk extension"),
        ("5;a=\"\u{7F}\"", "invalid chunk extension"),
        ("5;a=\"\\\u{1}\"", "invalid chunk extension"), ("5;a=b,c", "invalid chunk extension"),
        (";a", "invalid chunk size"),
        ("-5", "invalid chunk size"), ("0x5", "invalid chunk extension"), ("+5", "invalid chunk size"),
    ])
    func invalidChunkExtensionsAreRefused(line: String, reason: String) {
        #expect(self.error(Self.chunked("\(line)\r\nhello\r\n0\r\n\r\n")) == .malformed(reason))
    }

    @Test func chunkExtensionsOfOneBodyAreBoundedByTheHeadLimit() throws {
        let extensionOf100 = ";e=" + String(repeating: "v", count: 97)
        let fourChunks = String(repeating: "1\(extensionOf100)\r\nx\r\n", count: 4)
        #expect(try self.parse([Self.chunked(fourChunks + "0\r\n\r\n")], maxHeadBytes: 400).first?.body == "xxxx")
        let tooLarge = HTTPRequestError.malformed("chunk extensions and trailer fields are larger than 400 bytes")
        #expect(self.error(Self.chunked(fourChunks + "1\(extensionOf100)\r\n"), maxHeadBytes: 400) == tooLarge)
        // Extensions and trailers share the one allowance.
        #expect(self.error(Self.chunked(fourChunks + "0\r\nt: 1\r\n\r\n"), maxHeadBytes: 400) == tooLarge)
    }

    @Test func aChunkSizeUpTo16DigitsWithinAnIntIsTaken() throws {
        let requests = try self.parse([Self.chunked("7fffffffffffffff\r\nabc")])
        #expect(requests.count == 1 && requests[0].body == "abc" && !requests[0].ended)
    }

    @Test func anHTTP11RequestNeedsExactlyOneHost() throws {
        #expect(self.error("GET / HTTP/1.1\r\nx: y\r\n\r\n") == .malformed("no host header in an HTTP/1.1 request"))
        #expect(self.error("GET / HTTP/1.1\r\nhost: a\r\nHost: a\r\n\r\n") == .malformed("more than one host header"))
        #expect(self.error("GET / HTTP/1.0\r\nhost: a\r\nHOST: b\r\n\r\n") == .malformed("more than one host header"))
        #expect(self.error("GET http://a/ HTTP/1.1\r\n\r\n") == .malformed("no host header in an HTTP/1.1 request"))
        #expect(try self.parse(["GET / HTTP/1.0\r\n\r\n"]).first?.ended == true)
        #expect(try self.parse(["GET / HTTP/1.1\r\nHoSt: \r\n\r\n"]).first?.ended == true)
    }

    @Test(arguments: [
        "POST http://host/echo HTTP/1.1", "GET http://host HTTP/1.1", "GET HTTPS://host:8443?x=1 HTTP/1.1",
        "GET http://[::1]:80/a/b?c#d HTTP/1.1", "OPTIONS * HTTP/1.1", "OPTIONS /x HTTP/1.1",
    ])
    func requestTargetFormsAreAccepted(requestLine: String) throws {
        let requests = try self.parse(["\(requestLine)\r\nhost: host\r\n\r\n"])
        #expect(requests.count == 1 && requests[0].ended)
    }

    @Test(arguments: [
        ("GET * HTTP/1.1", "asterisk-form other than OPTIONS *"),
        ("OPTIONS *x HTTP/1.1", "asterisk-form other than OPTIONS *"),
        ("GET http:///echo HTTP/1.1", "invalid request target"),
        ("GET http://user@host/ HTTP/1.1", "invalid request target"),
        ("GET host:80 HTTP/1.1", "invalid request target"), ("GET h2c://host/ HTTP/1.1", "invalid request target"),
        ("GET http:/host/ HTTP/1.1", "invalid request target"),
        ("GET http://host#f HTTP/1.1", "invalid request target"),
        ("GET ?x HTTP/1.1", "invalid request target"), ("GET echo HTTP/1.1", "invalid request target"),
    ])
    func otherRequestTargetsAreRefused(requestLine: String, reason: String) {
        #expect(self.error("\(requestLine)\r\nhost: host\r\n\r\n") == .malformed(reason))
    }

    @Test(arguments: [
        ("HTTP/1.1", [], true), ("HTTP/1.0", [], false), ("HTTP/1.1", ["close"], false),
        ("HTTP/1.0", ["Keep-Alive"], true), ("HTTP/1.1", ["te, CLOSE"], false),
        ("HTTP/1.0", [" \tkeep-alive\t ,upgrade,"], true), ("HTTP/1.0", ["x", "keep-alive"], true),
        ("HTTP/1.1", ["keep-alive", "close"], false), ("HTTP/1.0", ["close, keep-alive"], false),
        ("HTTP/1.0", ["keep-alive, keep-alive"], false), ("HTTP/1.1", ["closed, keep-alives"], true),
        ("HTTP/1.1", ["clo se"], true), ("HTTP/1.0", [""], false),
    ])
    func connectionOptionsAreReadAsNIOHTTP1ReadsThem(version: String, values: [String], keepAlive: Bool) throws {
        var parser = HTTPRequestParser(maxHeadBytes: 1024)
        let fields = values.map { "Connection: \($0)\r\n" }.joined()
        var buffer = ByteBuffer(string: "GET / \(version)\r\nHost: x\r\n\(fields)\r\n")
        guard case .head(let head, _, let parsedKeepAlive) = try parser.next(from: &buffer) else {
            Issue.record("no head")
            return
        }
        #expect(parsedKeepAlive == keepAlive)
        #expect(head.isKeepAlive == keepAlive, "NIOHTTP1 reads the same fields the same way")
    }

    @Test func connectIsNotImplemented() {
        let error = self.error("CONNECT host:443 HTTP/1.1\r\n")
        #expect(error == HTTPRequestError(status: .notImplemented, reason: "CONNECT is not supported"))
    }
}
