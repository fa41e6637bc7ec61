internal import NIOHTTP1

/// Parses one request head, its request line and header fields, from its bytes (every line
/// ended by CRLF), and decides how the body is framed. Lives only inside the buffer's
/// `withUnsafeReadableBytes`. Trailer fields go through the same field syntax
/// (``checkTrailerField(_:)``).
struct HTTPHeadFields {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The head, how its body is framed, and whether the client lets the connection stay open
    /// after the answer.
    mutating func parse() throws(HTTPRequestError) -> (
        HTTPRequestHead, HTTPRequestParser.BodyFraming, keepAlive: Bool
    ) {
        guard let requestLine = try self.nextLine() else { throw .malformed("empty request head") }
        let (version, method, uri) = try self.requestLine(requestLine)
        var fields: [(String, String)] = []
        var contentLength: Int?
        var chunked = false
        var hosts = 0
        var connection = ConnectionOptions()
        while let line = try self.nextLine() {
            let (name, value) = try self.field(line)
            if self.equalsIgnoringCase(name, "content-length") {
                // Even an equal repeat is refused, as llhttp does: one length, read one way.
                guard contentLength == nil else { throw .malformed("more than one content-length") }
                contentLength = try self.contentLength(self.framingValue(value, endOfLine: line.upperBound))
            } else if self.equalsIgnoringCase(name, "transfer-encoding") {
                let coding = try self.framingValue(value, endOfLine: line.upperBound)
                guard !chunked, self.equalsIgnoringCase(coding, "chunked") else {
                    throw HTTPRequestError(
                        status: .notImplemented, reason: "only the chunked transfer coding is supported")
                }
                chunked = true
            } else if self.equalsIgnoringCase(name, "host") {
                hosts += 1
            } else if self.equalsIgnoringCase(name, "connection") {
                self.readConnectionOptions(value, into: &connection)
            }
            fields.append((self.string(name), self.string(value)))
        }
        // RFC 9112, 3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
        guard hosts == 1 || (hosts == 0 && version == .http1_0) else {
            throw .malformed(hosts == 0 ? "no host header in an HTTP/1.1 request" : "more than one host header")
        }
        let head = HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(fields))
        let keepAlive = connection.keepAlive(version: version)
        switch (contentLength, chunked) {
        case (nil, false):
            return (head, .none, keepAlive)
        case (let length?, false):
            return (head, .length(length), keepAlive)
        case (nil, true):
            guard version == .http1_1 else { throw .malformed("transfer-encoding in an HTTP/1.0 request") }
            return (head, .chunked, keepAlive)
        case (_?, true):
            throw .malformed("both content-length and transfer-encoding")
        }
    }

    /// The `close` and `keep-alive` options of the `Connection` fields, read as NIOHTTP1's
    /// `isKeepAlive` reads ASCII values (`ParserDifferentialTests` compares the two), but from
    /// the bytes as they are parsed: NIOHTTP1 splits and trims every value again for each
    /// request. (It splits Swift characters, so a comma that a following combining mark joins
    /// does not separate options there; here every comma does, as RFC 9110 5.6.1 reads them.)
    private struct ConnectionOptions {
        var close = false
        var keepAlives = 0

        /// `close` wins; so does a repeated `keep-alive` (a confused client); else HTTP/1.1
        /// stays open and HTTP/1.0 only when asked to (RFC 9112, 9.3).
        func keepAlive(version: HTTPVersion) -> Bool {
            if self.close || self.keepAlives > 1 { return false }
            return self.keepAlives == 1 || version == .http1_1
        }
    }

    /// Reads the comma-separated options of one `Connection` value (RFC 9110, 7.6.1).
    private func readConnectionOptions(_ value: Range<Int>, into options: inout ConnectionOptions) {
        var start = value.lowerBound
        while start < value.upperBound {
            let comma = self.firstIndex(of: UInt8(ascii: ","), in: start..<value.upperBound) ?? value.upperBound
            var (first, end) = (start, comma)
            while first < end, Self.isWhitespace(self.bytes[first]) { first += 1 }
            while end > first, Self.isWhitespace(self.bytes[end - 1]) { end -= 1 }
            if self.equalsIgnoringCase(first..<end, "close") {
                options.close = true
            } else if self.equalsIgnoringCase(first..<end, "keep-alive") {
                options.keepAlives += 1
            }
            start = comma + 1
        }
    }

    /// Refuses the start of a head that cannot become a valid one, so garbage is answered at
    /// once instead of when the head limit or the request timeout is reached: a method with a
    /// byte outside the token characters, or a complete request line that is invalid.
    static func checkIncomplete(_ bytes: UnsafeRawBufferPointer) throws(HTTPRequestError) {
        guard bytes.first != 0x0D else { return }  // the start of an empty line, skipped once complete
        guard let lineFeed = bytes.firstIndex(of: 0x0A) else {
            guard bytes.prefix(while: { $0 != 0x20 }).allSatisfy(Self.isTokenByte) else {
                throw .malformed("invalid method")
            }
            return
        }
        var fields = HTTPHeadFields(UnsafeRawBufferPointer(rebasing: bytes[...lineFeed]))
        _ = try fields.requestLine(fields.nextLine()!)
    }

    /// Checks one trailer field line of a chunked body (without its CRLF): the syntax of a
    /// header field, and neither `Content-Length` nor `Transfer-Encoding`, which llhttp refuses
    /// there (RFC 9110, 6.5.1: trailers must not carry framing). Other trailer fields, `Host`
    /// among them, are ignored.
    static func checkTrailerField(_ line: UnsafeRawBufferPointer) throws(HTTPRequestError) {
        let fields = HTTPHeadFields(line)
        let (name, _) = try fields.field(0..<line.count)
        guard !fields.equalsIgnoringCase(name, "content-length"), !fields.equalsIgnoringCase(name, "transfer-encoding")
        else {
            throw .malformed("framing field in the trailers")
        }
    }

    /// The next line without its CRLF; nil at the end of the head.
    private mutating func nextLine() throws(HTTPRequestError) -> Range<Int>? {
        guard self.position < self.bytes.count else { return nil }
        var index = self.position
        while self.bytes[index] != 0x0A { index += 1 }  // the head ends with LF
        guard index > self.position, self.bytes[index - 1] == 0x0D else { throw .malformed("line not ended by CRLF") }
        defer { self.position = index + 1 }
        return self.position..<(index - 1)
    }

    /// `METHOD SP request-target SP HTTP-version`.
    private func requestLine(_ line: Range<Int>) throws(HTTPRequestError) -> (HTTPVersion, HTTPMethod, String) {
        let methodEnd = self.firstIndex(of: 0x20, in: line)
        guard let methodEnd, methodEnd > line.lowerBound,
            (line.lowerBound..<methodEnd).allSatisfy({ Self.isTokenByte(self.bytes[$0]) })
        else { throw .malformed("invalid method") }
        let method = self.method(line.lowerBound..<methodEnd)
        // A tunnel, not a request: what follows its head is not HTTP, and the agent is no proxy.
        guard method != .CONNECT else {
            throw HTTPRequestError(status: .notImplemented, reason: "CONNECT is not supported")
        }
        let targetStart = methodEnd + 1
        guard let targetEnd = self.firstIndex(of: 0x20, in: targetStart..<line.upperBound), targetEnd > targetStart,
            (targetStart..<targetEnd).allSatisfy({ (0x21...0x7E).contains(self.bytes[$0]) })
        else { throw .malformed("invalid request target") }
        try self.checkTargetForm(targetStart..<targetEnd, method: method)
        let versionBytes = targetEnd + 1..<line.upperBound
        let version: HTTPVersion
        if self.equals(versionBytes, "HTTP/1.1") {
            version = .http1_1
        } else if self.equals(versionBytes, "HTTP/1.0") {
            version = .http1_0
        } else {
            throw .malformed("unsupported HTTP version")
        }
        return (version, method, self.string(targetStart..<targetEnd))
    }

    /// The method token; the common ones without making a string first.
    private func method(_ token: Range<Int>) -> HTTPMethod {
        if self.equals(token, "GET") { return .GET }
        if self.equals(token, "HEAD") { return .HEAD }
        if self.equals(token, "POST") { return .POST }
        return HTTPMethod(rawValue: self.string(token))
    }

    /// The request-target forms of RFC 9112, 3.2, a server takes: origin-form (`/path?query`),
    /// absolute-form (routed by its path), and asterisk-form (`*`) for OPTIONS only.
    /// Authority-form belongs to CONNECT, refused before.
    private func checkTargetForm(_ target: Range<Int>, method: HTTPMethod) throws(HTTPRequestError) {
        switch self.bytes[target.lowerBound] {
        case UInt8(ascii: "/"):
            return
        case UInt8(ascii: "*"):
            guard target.count == 1, method == .OPTIONS else { throw .malformed("asterisk-form other than OPTIONS *") }
        default:
            guard self.isAbsoluteForm(target) else { throw .malformed("invalid request target") }
        }
    }

    /// `scheme "://" authority [ ( "/" / "?" ) rest ]`, read as llhttp does (a scheme of
    /// letters), with a host that is not empty and no userinfo: RFC 9110, 4.2.1 and 4.2.4 have
    /// recipients reject the one and treat the other as an error.
    private func isAbsoluteForm(_ target: Range<Int>) -> Bool {
        guard let schemeEnd = target.first(where: { !Self.isLetter(self.bytes[$0]) }), schemeEnd > target.lowerBound,
            self.equals(schemeEnd..<min(schemeEnd + 3, target.upperBound), "://")
        else { return false }
        let authority = schemeEnd + 3
        let authorityEnd =
            (authority..<target.upperBound).first { !Self.isAuthorityByte(self.bytes[$0]) } ?? target.upperBound
        guard authorityEnd > authority else { return false }
        return authorityEnd == target.upperBound || self.bytes[authorityEnd] == UInt8(ascii: "/")
            || self.bytes[authorityEnd] == UInt8(ascii: "?")
    }

    /// `name ":" OWS value OWS`, with no whitespace before the colon and no line folding.
    private func field(_ line: Range<Int>) throws(HTTPRequestError) -> (name: Range<Int>, value: Range<Int>) {
        guard let colon = self.firstIndex(of: UInt8(ascii: ":"), in: line), colon > line.lowerBound,
            (line.lowerBound..<colon).allSatisfy({ Self.isTokenByte(self.bytes[$0]) })
        else { throw .malformed("invalid header field") }
        var start = colon + 1
        var end = line.upperBound
        while start < end, Self.isWhitespace(self.bytes[start]) { start += 1 }
        while end > start, Self.isWhitespace(self.bytes[end - 1]) { end -= 1 }
        guard (start..<end).allSatisfy({ Self.isFieldTextByte(self.bytes[$0]) }) else {
            throw .malformed("invalid header value")
        }
        return (line.lowerBound..<colon, start..<end)
    }

    /// The value of a field that frames the body. llhttp ends `Content-Length` and
    /// `Transfer-Encoding` values at spaces only and refuses a tab after them; so do we, or the
    /// same bytes would frame a body here and be refused (or read otherwise) there.
    private func framingValue(_ value: Range<Int>, endOfLine: Int) throws(HTTPRequestError) -> Range<Int> {
        guard self.firstIndex(of: 0x09, in: value.upperBound..<endOfLine) == nil else {
            throw .malformed("tab after a content-length or transfer-encoding value")
        }
        return value
    }

    /// A `Content-Length` value: decimal digits only (no sign, no list), at most 18 of them.
    private func contentLength(_ digits: Range<Int>) throws(HTTPRequestError) -> Int {
        guard (1...18).contains(digits.count) else { throw .malformed("invalid content-length") }
        var length = 0
        for index in digits {
            let byte = self.bytes[index]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw .malformed("invalid content-length")
            }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return length
    }

    private func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        range.first { self.bytes[$0] == byte }
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[range]), as: UTF8.self)
    }

    private func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        self.compare(range, text) { $0 == $1 }
    }

    private func equalsIgnoringCase(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        self.compare(range, lowercase) { $0 | 0x20 == $1 }
    }

    private func compare(_ range: Range<Int>, _ text: StaticString, _ byteMatches: (UInt8, UInt8) -> Bool) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        for offset in 0..<range.count where !byteMatches(self.bytes[range.lowerBound + offset], text.utf8Start[offset])
        {
            return false
        }
        return true
    }
}

/// The byte classes of RFC 9110's grammar, shared with the chunk-size line.
extension HTTPHeadFields {
    /// SP or HTAB: OWS and BWS.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    /// `tchar`: letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// HTAB, SP, `VCHAR` and `obs-text`: what a field value, a quoted string and a quoted pair
    /// may hold (no control bytes, no DEL).
    static func isFieldTextByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != 0x7F || byte == 0x09
    }

    /// `ALPHA`, as llhttp takes it for a scheme.
    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    /// What llhttp takes in an absolute-form authority, less `@` (userinfo): `unreserved`,
    /// `sub-delims`, `%`, `:`, `[` and `]`.
    private static func isAuthorityByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }
}
