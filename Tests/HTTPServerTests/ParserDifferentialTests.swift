import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import UServiceSupport

@testable import HTTPServer

/// Feeds the same byte streams to the agent's ``HTTPRequestParser`` and to NIOHTTP1's
/// llhttp-based `HTTPRequestDecoder` (llhttp 9 in its strict default: NIO sets no lenient flag)
/// and compares how they frame them: which requests each accepts, and for those, method,
/// target, version, body bytes and the byte at which each request ends.
///
/// Where only one side accepts, the case must fall in one of the ``Difference``s, each a rule
/// the agent keeps on purpose; any other disagreement fails the test.
@Suite("parser against llhttp")
struct ParserDifferentialTests {
    /// The differences the agent keeps on purpose.
    enum Difference: CaseIterable {
        // The agent refuses, llhttp accepts.
        case hostRule, transferCodingList, http10TransferEncoding, requestLineWhitespace, strayLineBreak, asteriskForm
        case absoluteFormAuthority, connect, upgrade, lengthRange, chunkExtensionEmpty
        // The agent accepts, llhttp refuses.
        case methodOutsideLLHTTPTable, chunkExtensionWhitespace, connectionTrailer
        // Both refuse, at different times.
        case refusalTiming

        var reason: String {
            switch self {
            case .hostRule:
                "RFC 9112 3.2: HTTP/1.1 needs exactly one Host, HTTP/1.0 at most one; llhttp does not look at Host"
            case .transferCodingList:
                "only a lone `chunked` frames a body, other codings are 501 (RFC 9112 6.1); "
                    + "llhttp takes any list ending in chunked and ignores an empty Transfer-Encoding"
            case .http10TransferEncoding:
                "RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; llhttp frames it as chunked"
            case .requestLineWhitespace:
                "RFC 9112 3: one SP between the request-line parts; llhttp skips runs of spaces"
            case .strayLineBreak:
                "only empty lines (CRLF) are skipped before a request line (RFC 9112 2.2); llhttp skips any run of CR and LF"
            case .asteriskForm:
                "`*` only as `OPTIONS *` (RFC 9112 3.2.4); llhttp takes `*` and what follows for any method"
            case .absoluteFormAuthority:
                "an absolute-form target needs a host and no userinfo (RFC 9110 4.2.1, 4.2.4); llhttp takes both"
            case .connect:
                "CONNECT is 501: the agent makes no tunnels; llhttp hands the connection over after the head"
            case .upgrade:
                "a request is framed and checked the same with Upgrade (the agent upgrades nothing); "
                    + "llhttp skips the Transfer-Encoding checks of an upgrade without a body"
            case .lengthRange:
                "a Content-Length over 18 digits, a chunk size over 16 digits or Int.max, is refused at once; "
                    + "llhttp takes 64 bits and waits for data no body limit allows"
            case .chunkExtensionEmpty:
                "chunk-extension names and values are tokens or quoted strings, never empty (RFC 9112 7.1.1); "
                    + "llhttp takes `;=v` and `;n=`"
            case .methodOutsideLLHTTPTable:
                "any token is a method (RFC 9110 9.1); llhttp knows a fixed, case-sensitive table"
            case .chunkExtensionWhitespace:
                "BWS around `;` and `=` of a chunk extension is valid (RFC 9112 7.1.1); llhttp refuses it"
            case .connectionTrailer:
                "trailers carry no connection management (RFC 9110 6.5.1); llhttp closes after a `Connection: close` trailer"
            case .refusalTiming:
                "both refuse the request, one at its first bad byte, the other once the line or head is whole "
                    + "(the agent checks fields and chunk lines whole; llhttp reads `GET /x` CRLF as HTTP/0.9, refused at the head's end)"
            }
        }
    }

    // MARK: - Framing as each side sees it

    /// One request as framed: what the comparison looks at, and its head for the classifiers.
    struct Framed: Equatable {
        var head: HTTPRequestHead
        /// Whether the client lets the connection stay open: the agent's reading of the bytes,
        /// or NIOHTTP1's `isKeepAlive` reading of the fields llhttp parsed.
        var keepAlive: Bool
        var body: [UInt8] = []
        /// How many bytes of the stream were consumed when the request ended; nil before.
        var end: Int?
        /// llhttp's trailer fields, which it reads for connection management.
        var trailers: HTTPHeaders?

        var closesInTrailers: Bool {
            let connection = (self.trailers?["connection"] ?? []) + (self.trailers?["proxy-connection"] ?? [])
            return connection.flatMap { $0.split(separator: ",") }.contains { $0.trimmed.lowercased() == "close" }
        }

        static func == (lhs: Framed, rhs: Framed) -> Bool {
            lhs.head.method.rawValue == rhs.head.method.rawValue && lhs.head.uri == rhs.head.uri
                && lhs.head.version == rhs.head.version && lhs.body == rhs.body && lhs.end == rhs.end
                && lhs.keepAlive == rhs.keepAlive
        }
    }

    /// A whole stream as framed: the requests (the last one maybe incomplete), and whether the
    /// parser refused what followed them.
    struct Outcome: Equatable {
        var requests: [Framed] = []
        var error: String?
        /// The agent's parser state at the end of the stream.
        var state: HTTPRequestParser.State?

        /// The same requests, and a refusal on both sides or neither (the reason may differ with
        /// where the bytes were split: whichever check sees the bad byte first).
        static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.requests == rhs.requests && (lhs.error == nil) == (rhs.error == nil)
        }

        /// Whether the parser refused request `index`: it failed before that request ended.
        func refuses(_ index: Int) -> Bool {
            self.error != nil && self.requests.dropFirst(index).allSatisfy { $0.end == nil }
        }

        /// Where request `index` starts: where the one before it ended.
        func start(of index: Int) -> Int {
            index == 0 ? 0 : self.requests[index - 1].end!
        }
    }

    static let maxHeadBytes = 16 * 1024

    /// The agent's parser, fed the stream in pieces cut at `cuts`.
    static func ours(_ bytes: [UInt8], cuts: [Int] = []) -> Outcome {
        var parser = HTTPRequestParser(maxHeadBytes: Self.maxHeadBytes)
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var fed = 0
        for cut in cuts + [bytes.count] where cut > fed {
            buffer.writeBytes(bytes[fed..<cut])
            fed = cut
            do {
                while let part = try parser.next(from: &buffer) {
                    switch part {
                    case .head(let head, _, let keepAlive):
                        outcome.requests.append(Framed(head: head, keepAlive: keepAlive))
                    case .body(let chunk): outcome.requests[outcome.requests.count - 1].body += chunk.readableBytesView
                    case .end: outcome.requests[outcome.requests.count - 1].end = fed - buffer.readableBytes
                    }
                }
            } catch {
                outcome.error = error.reason
                break
            }
        }
        outcome.state = parser.state
        return outcome
    }

    /// NIOHTTP1's decoder in an `EmbeddedChannel`, fed the stream in pieces cut at `cuts`. It
    /// reports a request's end after the write that completes it: to compare ends exactly,
    /// cut one byte before and at each end the agent's parser found.
    static func llhttp(_ bytes: [UInt8], cuts: [Int] = []) -> Outcome {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try! channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        var outcome = Outcome()
        var fed = 0
        for cut in cuts + [bytes.count] where cut > fed {
            var caught: (any Error)?
            do {
                try channel.writeInbound(ByteBuffer(bytes: bytes[fed..<cut]))
            } catch {
                caught = error
            }
            fed = cut
            while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
                switch part {
                case .head(let head): outcome.requests.append(Framed(head: head, keepAlive: Self.isKeepAlive(head)))
                case .body(let chunk): outcome.requests[outcome.requests.count - 1].body += chunk.readableBytesView
                case .end(let trailers):
                    outcome.requests[outcome.requests.count - 1].end = fed
                    outcome.requests[outcome.requests.count - 1].trailers = trailers
                }
            }
            if let caught {
                outcome.error = "\(caught)"
                break
            }
        }
        return outcome
    }

    // MARK: - Comparison

    enum Verdict: Hashable {
        case bothAccept
        case bothReject
        /// The sides part at request `index`.
        case differ(at: Int)
    }

    /// Compares request by request, up to the first after which either side closes or hands
    /// the connection over (`Connection: close`, HTTP/1.0, an upgrade): the server never parses
    /// what follows as HTTP, and llhttp refuses or ignores it.
    static func compare(_ ours: Outcome, _ llhttp: Outcome) -> Verdict {
        var index = 0
        while index < ours.requests.count, index < llhttp.requests.count,
            ours.requests[index].end != nil, ours.requests[index] == llhttp.requests[index]
        {
            if Self.endsTheConnection(ours.requests[index], llhttp.requests[index]) { return .bothAccept }
            index += 1
        }
        let oursRest = ours.requests.dropFirst(index)
        let llhttpRest = llhttp.requests.dropFirst(index)
        switch (ours.error, llhttp.error) {
        case (_?, _?):
            // Both refuse request `index`, whatever each made of its start.
            return ours.refuses(index) && llhttp.refuses(index) ? .bothReject : .differ(at: index)
        case (nil, nil):
            // Both wait, on the same start of request `index` if any.
            return oursRest.count <= 1 && Array(oursRest) == Array(llhttpRest) ? .bothAccept : .differ(at: index)
        default:
            return .differ(at: index)
        }
    }

    private static func endsTheConnection(_ ours: Framed, _ llhttp: Framed) -> Bool {
        !ours.keepAlive || !llhttp.head.isKeepAlive || Self.upgrades(llhttp.head)
    }

    /// NIOHTTP1's reading of the `Connection` fields, as the agent used to take it: from the
    /// fields alone (the decoder's head carries llhttp's own reading, which differs where a
    /// client sends both options or one twice; closing is the safe side there).
    private static func isKeepAlive(_ head: HTTPRequestHead) -> Bool {
        let fields = HTTPHeaders(head.headers.map { ($0.name, $0.value) })
        return HTTPRequestHead(version: head.version, method: head.method, uri: head.uri, headers: fields).isKeepAlive
    }

    /// Whether llhttp takes the request as an upgrade, after which it stops parsing HTTP.
    private static func upgrades(_ head: HTTPRequestHead) -> Bool {
        let connection = (head.headers["connection"] + head.headers["proxy-connection"]).flatMap {
            $0.split(separator: ",")
        }
        return connection.contains { $0.trimmed.lowercased() == "upgrade" }
            && head.headers["upgrade"].contains { !$0.trimmed.isEmpty }
    }

    /// Whether the sides agree on `bytes`, or part only over deliberate differences (at most
    /// `depth` of them).
    private static func agree(_ bytes: [UInt8], depth: Int) -> Bool {
        let ours = Self.ours(bytes)
        let llhttp = Self.llhttp(bytes, cuts: Self.cuts(around: ours))
        guard case .differ(let index) = Self.compare(ours, llhttp) else { return true }
        return Self.classify(bytes, at: index, ours: ours, llhttp: llhttp, depth: depth) != nil
    }

    /// Whether the sides agree once a normalization took a deliberate difference out of `bytes`.
    private static func agree(changed normalized: [UInt8], from bytes: [UInt8], depth: Int) -> Bool {
        normalized != bytes && Self.agree(normalized, depth: depth - 1)
    }

    /// An empty line after whatever line is open: it completes a head or a line that waits.
    private static let finishingLines = Array("\r\n\r\n".utf8)

    // MARK: - Classification

    /// Which deliberate difference explains that the sides part at request `index`, if any.
    /// Rules on a head are read from the head the other side accepted; rules on bytes are
    /// checked by taking out what they refuse: the sides must then agree, or part over another
    /// deliberate difference (up to `depth` of them in one case).
    static func classify(_ bytes: [UInt8], at index: Int, ours: Outcome, llhttp: Outcome, depth: Int = 3) -> Difference?
    {
        guard depth > 0 else { return nil }
        if ours.refuses(index), !llhttp.refuses(index) {
            let llhttpHead = llhttp.requests.dropFirst(index).first?.head
            if ours.requests.count == index, let head = llhttpHead, let difference = Self.refusedHead(head) {
                return difference
            }
            if llhttpHead == nil, llhttp.error == nil, Self.llhttp(bytes + Self.finishingLines).refuses(index) {
                return .refusalTiming
            }
            return Self.refusedBytes(bytes, from: ours.start(of: index), ours: ours, llhttp: llhttp, depth: depth)
        }
        guard llhttp.refuses(index), !ours.refuses(index) else { return nil }
        let start = ours.start(of: index)
        if index > 0, llhttp.requests[index - 1].closesInTrailers,
            Self.agree(
                changed: Self.removingConnectionFields(of: bytes, in: ours.start(of: index - 1)..<start), from: bytes,
                depth: depth)
        {
            return .connectionTrailer
        }
        if let head = ours.requests.dropFirst(index).first?.head, !Self.llhttpMethods.contains(head.method.rawValue),
            Self.agree(changed: Self.replacingMethod(of: bytes, at: start, with: "GET"), from: bytes, depth: depth)
        {
            return .methodOutsideLLHTTPTable
        }
        if let difference = Self.refusedAfterFinishing(bytes, at: index, ours: ours, llhttp: llhttp, depth: depth) {
            return difference
        }
        if Self.agree(
            changed: Self.rewritingChunkSizeLines(of: bytes, Self.withoutWhitespace), from: bytes, depth: depth)
        {
            return .chunkExtensionWhitespace
        }
        return nil
    }

    /// When the agent waits inside a line or head llhttp refused, finishes them: the agent must
    /// refuse the request too, or part from llhttp over another deliberate difference.
    private static func refusedAfterFinishing(
        _ bytes: [UInt8], at index: Int, ours: Outcome, llhttp: Outcome, depth: Int
    ) -> Difference? {
        guard ours.error == nil, let state = ours.state, Self.isWithinALine(state) else { return nil }
        let finished = bytes + Self.finishingLines
        let oursFinished = Self.ours(finished)
        switch Self.compare(oursFinished, llhttp) {
        case .bothReject: return .refusalTiming
        case .differ(let at):
            return Self.classify(finished, at: at, ours: oursFinished, llhttp: llhttp, depth: depth - 1)
        case .bothAccept: return nil
        }
    }

    /// The rules that refuse a head llhttp accepted (where the agent refused that head).
    private static func refusedHead(_ head: HTTPRequestHead) -> Difference? {
        let hosts = head.headers["host"].count
        let codings = head.headers["transfer-encoding"]
        if hosts > 1 || hosts == 0 && head.version == .http1_1 { return .hostRule }
        if head.method == .CONNECT { return .connect }
        if Self.upgrades(head) { return .upgrade }
        if !codings.isEmpty, head.version == .http1_0 { return .http10TransferEncoding }
        if !codings.isEmpty, codings.map({ $0.trimmed.lowercased() }) != ["chunked"] { return .transferCodingList }
        if head.uri.hasPrefix("*"), head.uri != "*" || head.method != .OPTIONS { return .asteriskForm }
        if let authority = Self.authority(of: head.uri), authority.isEmpty || authority.contains("@") {
            return .absoluteFormAuthority
        }
        if head.headers["content-length"].contains(where: { $0.trimmed.count > 18 }) { return .lengthRange }
        return nil
    }

    /// The rules that refuse bytes llhttp accepted, from the start of the request they part at.
    private static func refusedBytes(
        _ bytes: [UInt8], from start: Int, ours: Outcome, llhttp: Outcome, depth: Int
    ) -> Difference? {
        let lineBreaks = bytes[start...].prefix { $0 == 0x0D || $0 == 0x0A }
        let requestLine = bytes[lineBreaks.endIndex...].prefix { $0 != 0x0D && $0 != 0x0A }
        if !lineBreaks.elementsEqual(repeatElement("\r\n".utf8, count: lineBreaks.count / 2).joined()),
            Self.agree(changed: Array(bytes[..<start] + bytes[lineBreaks.endIndex...]), from: bytes, depth: depth)
        {
            return .strayLineBreak
        }
        let collapsed =
            Array(bytes[..<requestLine.startIndex]) + Self.collapsingSpaces(requestLine)
            + bytes[requestLine.endIndex...]
        if Self.agree(changed: collapsed, from: bytes, depth: depth) {
            return .requestLineWhitespace
        }
        if Self.agree(
            changed: Self.rewritingChunkSizeLines(of: bytes, Self.fillingEmptyExtensions), from: bytes, depth: depth)
        {
            return .chunkExtensionEmpty
        }
        // llhttp waits for a chunk no body limit allows: nothing after it can be compared.
        let lines = bytes[start...].split(separator: 0x0A)
        if ours.error == "chunk size is too large", llhttp.error == nil,
            lines.contains(where: { $0.prefix(while: { $0.hexDigitValue != nil }).count >= 16 })
        {
            return .lengthRange
        }
        return nil
    }

    /// `bytes` with the extensions of each chunk-size line (hex digits, then extensions up to
    /// CR) passed through `rewrite`, where that leaves them starting with `;` as chunk-size
    /// lines do.
    private static func rewritingChunkSizeLines(of bytes: [UInt8], _ rewrite: (ArraySlice<UInt8>) -> [UInt8]) -> [UInt8]
    {
        var result: [UInt8] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.startIndex > bytes.startIndex { result.append(0x0A) }
            let digits = line.prefix { $0.hexDigitValue != nil }
            let rewritten = rewrite(line[digits.endIndex...])
            result += line.prefix(digits.count)
            result += !digits.isEmpty && rewritten.first == 0x3B ? rewritten[...] : line[digits.endIndex...]
        }
        return result
    }

    /// Extensions without whitespace outside quoted strings: RFC 9112's BWS, as a recipient
    /// removes it.
    private static func withoutWhitespace(_ extensions: ArraySlice<UInt8>) -> [UInt8] {
        var quoted = false
        return extensions.filter { byte in
            if byte == 0x22 { quoted.toggle() }
            return quoted || (byte != 0x20 && byte != 0x09)
        }
    }

    /// Extensions with a name put in `;=` and `;;`, and a value after a bare `=`.
    private static func fillingEmptyExtensions(_ extensions: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        var quoted = false
        for byte in extensions {
            if !quoted, let last = result.last {
                if last == 0x3B && (byte == 0x3D || byte == 0x3B) { result.append(UInt8(ascii: "n")) }
                if last == 0x3D && (byte == 0x3B || byte == 0x0D) { result.append(UInt8(ascii: "v")) }
            }
            if byte == 0x22 { quoted.toggle() }
            result.append(byte)
        }
        if result.last == 0x3D { result.append(UInt8(ascii: "v")) }
        return result
    }

    /// `bytes` with the method of the request at `start` replaced.
    private static func replacingMethod(of bytes: [UInt8], at start: Int, with method: String) -> [UInt8] {
        let methodStart = bytes[start...].firstIndex { $0 != 0x0D && $0 != 0x0A } ?? bytes.endIndex
        let methodEnd = bytes[methodStart...].firstIndex(of: 0x20) ?? bytes.endIndex
        return Array(bytes[..<methodStart]) + Array(method.utf8) + bytes[methodEnd...]
    }

    /// `bytes` without the `Connection` and `Proxy-Connection` lines in `range`.
    private static func removingConnectionFields(of bytes: [UInt8], in range: Range<Int>) -> [UInt8] {
        var result = Array(bytes[..<range.lowerBound])
        for line in bytes[range].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            let name = String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self).lowercased()
            if name != "connection" && name != "proxy-connection" { result += line + [0x0A] }
        }
        return result + bytes[range.upperBound...]
    }

    private static func collapsingSpaces(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        for byte in line where byte != 0x20 || result.last != 0x20 {
            result.append(byte)
        }
        return result
    }

    private static func isWithinALine(_ state: HTTPRequestParser.State) -> Bool {
        switch state {
        case .head, .chunkSize, .chunkDataEnd, .trailers: true
        case .fixedBody, .chunkData, .end: false
        }
    }

    /// The authority of an absolute-form target, nil for other forms.
    private static func authority(of uri: String) -> Substring? {
        guard let colon = uri.firstIndex(of: ":"), uri[colon...].hasPrefix("://"), uri[..<colon].allSatisfy(\.isLetter)
        else { return nil }
        return uri[uri.index(colon, offsetBy: 3)...].prefix { $0 != "/" && $0 != "?" }
    }

    /// llhttp's methods for HTTP/1.x (`METHODS_HTTP` of llhttp 9.3) less `PRI`, which it takes
    /// only as the HTTP/2 preface.
    static let llhttpMethods: Set<String> = [
        "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL", "MOVE",
        "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY",
        "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR",
        "LINK", "UNLINK", "SOURCE", "QUERY",
    ]

    // MARK: - Running cases

    /// Cut points one byte before and at each end the agent's parser found.
    static func cuts(around outcome: Outcome) -> [Int] {
        outcome.requests.compactMap(\.end).flatMap { [$0 - 1, $0] }
    }

    /// The result of one case.
    enum Result: Equatable {
        case agreement(Verdict)
        case difference(Difference)
        case unclassified(at: Int)
    }

    /// Runs one stream through both sides, whole and in the given random pieces (which must
    /// not change the agent's result).
    static func run(_ bytes: [UInt8], splits: [[Int]] = []) -> (Result, ours: Outcome, llhttp: Outcome) {
        let ours = Self.ours(bytes)
        for cuts in splits {
            let split = Self.ours(bytes, cuts: cuts)
            #expect(split == ours, "split at \(cuts): \(Self.describe(bytes))")
        }
        let llhttp = Self.llhttp(bytes, cuts: Self.cuts(around: ours))
        switch Self.compare(ours, llhttp) {
        case .differ(let index):
            guard let difference = Self.classify(bytes, at: index, ours: ours, llhttp: llhttp) else {
                return (.unclassified(at: index), ours, llhttp)
            }
            return (.difference(difference), ours, llhttp)
        case let verdict:
            return (.agreement(verdict), ours, llhttp)
        }
    }

    // MARK: - Cases

    /// Smuggling vectors and other classics, each with the result expected of the comparison.
    static let vectors: [(name: String, text: String, expected: Result)] = [
        (
            "CL.TE",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED",
            .agreement(.bothReject)
        ),
        (
            "TE.CL",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        ("TE.TE trailing space", Self.chunkedPost(coding: "chunked "), .agreement(.bothAccept)),
        ("TE.TE leading tab", Self.chunkedPost(coding: "\tchunked"), .agreement(.bothAccept)),
        ("TE.TE upper case", Self.chunkedPost(coding: "CHUNKED"), .agreement(.bothAccept)),
        ("TE.TE trailing tab", Self.chunkedPost(coding: "chunked\t"), .agreement(.bothReject)),
        ("TE.TE xchunked", Self.chunkedPost(coding: "xchunked"), .agreement(.bothReject)),
        ("TE.TE chunked, identity", Self.chunkedPost(coding: "chunked, identity"), .agreement(.bothReject)),
        ("TE.TE identity, chunked", Self.chunkedPost(coding: "identity, chunked"), .difference(.transferCodingList)),
        ("TE.TE quoted", Self.chunkedPost(coding: "\"chunked\""), .agreement(.bothReject)),
        (
            "TE.TE empty", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nContent-Length: 1\r\n\r\nx",
            .difference(.transferCodingList)
        ),
        (
            "TE.TE twice",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        (
            "TE.TE space before colon", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        (
            "TE.TE tab before colon", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        (
            "TE.TE folded", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        (
            "TE.TE underscore", "POST / HTTP/1.1\r\nHost: x\r\nTransfer_Encoding: chunked\r\n\r\n0\r\n\r\n",
            .agreement(.bothReject)
        ),
        ("duplicate equal Content-Length", Self.post(lengths: ["3", "3"]), .agreement(.bothReject)),
        ("conflicting Content-Length", Self.post(lengths: ["3", "4"]), .agreement(.bothReject)),
        ("Content-Length list", Self.post(lengths: ["3, 3"]), .agreement(.bothReject)),
        ("Content-Length +3", Self.post(lengths: ["+3"]), .agreement(.bothReject)),
        ("Content-Length 0x3", Self.post(lengths: ["0x3"]), .agreement(.bothReject)),
        ("Content-Length -3", Self.post(lengths: ["-3"]), .agreement(.bothReject)),
        ("Content-Length empty", Self.post(lengths: [""]), .agreement(.bothReject)),
        ("Content-Length 3 3", Self.post(lengths: ["3 3"]), .agreement(.bothReject)),
        ("Content-Length trailing tab", Self.post(lengths: ["3\t"]), .agreement(.bothReject)),
        ("Content-Length padded", Self.post(lengths: [" \t003  "]), .agreement(.bothAccept)),
        ("Content-Length overflow", Self.post(lengths: ["99999999999999999999"]), .agreement(.bothReject)),
        ("Content-Length of 19 digits", Self.post(lengths: ["0000000000000000003"]) + "abc", .difference(.lengthRange)),
        ("bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", .agreement(.bothReject)),
        ("bare LF after a field", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", .agreement(.bothReject)),
        ("bare CR line end", "GET / HTTP/1.1\rHost: x\r\n\r\n", .agreement(.bothReject)),
        ("bare CR in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .agreement(.bothReject)),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", .agreement(.bothReject)),
        ("space before the first field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", .agreement(.bothReject)),
        ("NUL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n", .agreement(.bothReject)),
        ("NUL in a name", "GET / HTTP/1.1\r\nHost: x\r\nX\u{0}: b\r\n\r\n", .agreement(.bothReject)),
        ("NUL in the target", "GET /\u{0} HTTP/1.1\r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("DEL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: \u{7F}\r\n\r\n", .agreement(.bothReject)),
        ("empty field name", "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", .agreement(.bothReject)),
        ("field without colon", "GET / HTTP/1.1\r\nHost: x\r\nX\r\n\r\n", .agreement(.bothReject)),
        ("chunk size overflow", Self.chunkedPost(body: "fffffffffffffffff\r\n"), .agreement(.bothReject)),
        ("chunk size of 16 digits", Self.chunkedPost(body: "ffffffffffffffff\r\nabc"), .difference(.lengthRange)),
        ("negative chunk size", Self.chunkedPost(body: "-5\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("chunk size 0x5", Self.chunkedPost(body: "0x5\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("last chunk without the empty line", Self.chunkedPost(body: "0\r\n"), .agreement(.bothAccept)),
        ("chunk data longer than its size", Self.chunkedPost(body: "3\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("chunk size line ended by LF", Self.chunkedPost(body: "5\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("chunk data ended by LF", Self.chunkedPost(body: "5\r\nhello\n0\r\n\r\n"), .agreement(.bothReject)),
        (
            "chunk extensions", Self.chunkedPost(body: "5;a;b=c;d=\"e\\\"f\"\r\nhello\r\n0;z\r\n\r\n"),
            .agreement(.bothAccept)
        ),
        (
            "chunk extension, garbage", Self.chunkedPost(body: "5 garbage\r\nhello\r\n0\r\n\r\n"),
            .agreement(.bothReject)
        ),
        ("chunk extension, empty name", Self.chunkedPost(body: "5;\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("chunk extension, NUL", Self.chunkedPost(body: "5;a\u{0}\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        ("chunk extension, bare CR", Self.chunkedPost(body: "5;a\rb\r\nhello\r\n0\r\n\r\n"), .agreement(.bothReject)),
        (
            "chunk extension, BWS", Self.chunkedPost(body: "5 ; a = b\r\nhello\r\n0\r\n\r\n"),
            .difference(.chunkExtensionWhitespace)
        ),
        ("trailer Content-Length", Self.chunkedPost(body: "0\r\nContent-Length: 5\r\n\r\n"), .agreement(.bothReject)),
        (
            "trailer Transfer-Encoding", Self.chunkedPost(body: "0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            .agreement(.bothReject)
        ),
        ("trailer Host", Self.chunkedPost(body: "0\r\nHost: y\r\n\r\n" + Self.get), .agreement(.bothAccept)),
        ("trailer folded", Self.chunkedPost(body: "0\r\nA: b\r\n c\r\n\r\n"), .agreement(.bothReject)),
        ("trailer space before colon", Self.chunkedPost(body: "0\r\nA : b\r\n\r\n"), .agreement(.bothReject)),
        (
            "HTTP/1.0 with Transfer-Encoding", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .difference(.http10TransferEncoding)
        ),
        (
            "pipelined",
            Self.get + Self.post(lengths: ["3"]) + "abc" + Self.chunkedPost(body: "1\r\na\r\n0\r\n\r\n") + Self.get,
            .agreement(.bothAccept)
        ),
        ("empty lines between requests", Self.get + "\r\n\r\n" + Self.get, .agreement(.bothAccept)),
        ("bare LF between requests", Self.get + "\n" + Self.get, .difference(.strayLineBreak)),
        (
            "data after Connection: close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGARBAGE",
            .agreement(.bothAccept)
        ),
        (
            "upgrade with an invalid Transfer-Encoding",
            "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n",
            .difference(.upgrade)
        ),
        (
            "data after an upgrade",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0",
            .agreement(.bothAccept)
        ),
        ("two spaces after the method", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .difference(.requestLineWhitespace)),
        ("two spaces before the version", "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", .difference(.requestLineWhitespace)),
        ("space after the version", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("tab as separator", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", .agreement(.bothReject)),
        ("HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", .agreement(.bothReject)),
        ("HTTP/0.9 request", "GET /\r\n\r\n", .agreement(.bothReject)),
        ("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .agreement(.bothReject)),
        ("lower-case method", "get / HTTP/1.1\r\nHost: x\r\n\r\n", .difference(.methodOutsideLLHTTPTable)),
        ("unknown method", "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", .difference(.methodOutsideLLHTTPTable)),
        ("no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", .difference(.hostRule)),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .difference(.hostRule)),
        ("no Host in HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", .agreement(.bothAccept)),
        (
            "absolute-form", "POST http://host/echo?x=1 HTTP/1.1\r\nHost: host\r\nContent-Length: 2\r\n\r\nhi",
            .agreement(.bothAccept)
        ),
        ("absolute-form without a path", "GET http://host:80 HTTP/1.1\r\nHost: host\r\n\r\n", .agreement(.bothAccept)),
        (
            "absolute-form without a host", "GET http:///echo HTTP/1.1\r\nHost: host\r\n\r\n",
            .difference(.absoluteFormAuthority)
        ),
        (
            "absolute-form with userinfo", "GET http://a@host/ HTTP/1.1\r\nHost: host\r\n\r\n",
            .difference(.absoluteFormAuthority)
        ),
        ("authority-form", "GET host:80 HTTP/1.1\r\nHost: host\r\n\r\n", .agreement(.bothReject)),
        ("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", .agreement(.bothAccept)),
        ("GET *", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", .difference(.asteriskForm)),
        ("CONNECT", "CONNECT host:443 HTTP/1.1\r\nHost: host:443\r\n\r\n", .difference(.connect)),
        ("invalid field after the request line", "GET / HTTP/1.1\r\nbad line", .difference(.refusalTiming)),
        ("request line without a version, head open", "GET /x\r\nHost: x", .difference(.refusalTiming)),
        (
            "empty chunk-extension value", Self.chunkedPost(body: "5;a=\r\nhello\r\n0\r\n\r\n"),
            .difference(.chunkExtensionEmpty)
        ),
        (
            "empty chunk-extension name", Self.chunkedPost(body: "5;a;=v\r\nhello\r\n0\r\n\r\n"),
            .difference(.chunkExtensionEmpty)
        ),
        (
            "Connection: close trailer", Self.chunkedPost(body: "0\r\nConnection: close\r\n\r\n" + Self.get),
            .difference(.connectionTrailer)
        ),
    ]

    static let get = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"

    static func chunkedPost(coding: String = "chunked", body: String = "5\r\nhello\r\n0\r\n\r\n") -> String {
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(coding)\r\n\r\n" + body
    }

    static func post(lengths: [String]) -> String {
        "POST / HTTP/1.1\r\nHost: x\r\n" + lengths.map { "Content-Length: \($0)\r\n" }.joined() + "\r\n"
    }

    /// Valid requests the mutations start from.
    static let seeds = [
        Self.get,
        "POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=v\r\nhello\r\n3\r\n, w\r\n0\r\nx-trailer: t\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
        "GET /readyz?exclude=a,b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nX-A:\tb c \r\n\r\n",
        "PUT http://host:8080/echo?x=1 HTTP/1.1\r\nHost: host\r\nContent-Length: 3\r\n\r\nabc",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        "DELETE /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]

    @Test func classicVectors() {
        var tally = Tally()
        for vector in Self.vectors {
            let bytes = Array(vector.text.utf8)
            let (result, ours, llhttp) = Self.run(bytes, splits: (1..<bytes.count).map { [$0] })
            tally.add(bytes, result, ours: ours, llhttp: llhttp)
            #expect(
                result == vector.expected, "\(vector.name): \(Self.describe(ours)) / llhttp \(Self.describe(llhttp))")
        }
        tally.report("classic vectors")
    }

    @Test func seedsAreAcceptedByBoth() {
        for seed in Self.seeds {
            #expect(Self.run(Array(seed.utf8)).0 == .agreement(.bothAccept), "\(seed)")
        }
    }

    @Test func mutationsOfValidRequests() {
        var random = SplitMix64(seed: 0x5EED_1A77_9E2B)
        var tally = Tally()
        for _ in 0..<Self.mutationCases {
            var bytes = (0...random.next(below: 3)).flatMap { _ in
                Array(Self.seeds[random.next(below: Self.seeds.count)].utf8)
            }
            for _ in 0...random.next(below: 3) {
                Mutation.allCases[random.next(below: Mutation.allCases.count)].apply(to: &bytes, using: &random)
            }
            let splits = (0..<2).map { _ in Self.randomCuts(upTo: bytes.count, using: &random) }
            let (result, ours, llhttp) = Self.run(bytes, splits: splits)
            tally.add(bytes, result, ours: ours, llhttp: llhttp)
        }
        tally.report("mutations")
        // The mutations must leave enough valid requests for the comparison of framing to bite.
        #expect(tally.agreements[.bothAccept, default: 0] > Self.mutationCases / 10)
    }

    static let mutationCases = 5000

    /// Ascending cut points that split `count` bytes into pieces of 1 to 16 bytes.
    static func randomCuts(upTo count: Int, using random: inout SplitMix64) -> [Int] {
        var cuts: [Int] = []
        var cut = 0
        while true {
            cut += 1 + random.next(below: 16)
            guard cut < count else { return cuts }
            cuts.append(cut)
        }
    }

    @Test func anUnclassifiedDisagreementFails() {
        let bytes = Array(Self.get.utf8)
        let ours = Self.ours(bytes)
        var other = ours
        other.requests[0].body = Array("x".utf8)
        #expect(Self.compare(ours, other) == .differ(at: 0))
        #expect(Self.classify(bytes, at: 0, ours: ours, llhttp: other) == nil)
        other = Self.ours(bytes)
        other.requests[0].end! += 1
        #expect(Self.compare(ours, other) == .differ(at: 0))
    }

    /// One edit of a stream, as the mutation test draws them.
    enum Mutation: CaseIterable {
        case flipBit, replaceByte, insertByte, insertLineBreak, deleteByte, deleteRange, duplicateLine, deleteLine
        case swapCase, insertField, changeDigit

        static let insertedBytes = Array("\r\n \t\u{0}:;,\"=\\0aG\u{7F}".utf8) + [0x80]
        static let insertedFields = [
            "Content-Length: 3", "Transfer-Encoding: chunked", "Host: h", "Connection: close",
            "Transfer-Encoding: gzip, chunked",
            "Content-Length: 0", "Connection: upgrade\r\nUpgrade: x", "Expect: 100-continue",
            "Connection: keep-alive", "connection: TE,\tKeep-Alive ,", "Connection: Close, keep-alive",
            "Connection: keep-alive, keep-alive",
        ]

        func apply(to bytes: inout [UInt8], using random: inout SplitMix64) {
            guard !bytes.isEmpty else { return }
            let at = random.next(below: bytes.count)
            switch self {
            case .flipBit:
                bytes[at] ^= 1 << UInt8(random.next(below: 8))
            case .replaceByte:
                bytes[at] = UInt8(random.next(below: 256))
            case .insertByte:
                bytes.insert(Self.insertedBytes[random.next(below: Self.insertedBytes.count)], at: at)
            case .insertLineBreak:
                bytes.insert(contentsOf: [0x0D, 0x0A], at: at)
            case .deleteByte:
                bytes.remove(at: at)
            case .deleteRange:
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.next(below: 8)))
            case .duplicateLine, .deleteLine:
                let line = Self.line(around: at, in: bytes)
                if self == .duplicateLine {
                    bytes.insert(contentsOf: bytes[line], at: line.lowerBound)
                } else {
                    bytes.removeSubrange(line)
                }
            case .swapCase:
                let line = Self.line(around: at, in: bytes)
                for index in line
                where (UInt8(ascii: "A")...UInt8(ascii: "z")).contains(bytes[index]) && random.next(below: 2) == 0 {
                    bytes[index] ^= 0x20
                }
            case .insertField:
                let field = Self.insertedFields[random.next(below: Self.insertedFields.count)]
                bytes.insert(contentsOf: Array("\(field)\r\n".utf8), at: Self.line(around: at, in: bytes).upperBound)
            case .changeDigit:
                guard let digit = bytes.indices.dropFirst(at).first(where: { (0x30...0x39).contains(bytes[$0]) }) else {
                    return
                }
                bytes[digit] = UInt8(ascii: "0") + UInt8(random.next(below: 10))
            }
        }

        /// The line holding `index`, with its LF.
        private static func line(around index: Int, in bytes: [UInt8]) -> Range<Int> {
            let start = bytes[..<index].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let end = bytes[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            return start..<end
        }
    }

    /// Tallies results, records every unclassified one as an issue, and prints the counts.
    struct Tally {
        var cases = 0
        var agreements: [Verdict: Int] = [:]
        var differences: [Difference: Int] = [:]
        var unclassified = 0

        mutating func add(_ bytes: [UInt8], _ result: Result, ours: Outcome, llhttp: Outcome) {
            self.cases += 1
            switch result {
            case .agreement(let verdict): self.agreements[verdict, default: 0] += 1
            case .difference(let difference): self.differences[difference, default: 0] += 1
            case .unclassified(let index):
                self.unclassified += 1
                Issue.record(
                    """
                    unclassified disagreement at request \(index): \(ParserDifferentialTests.describe(bytes))
                    ours:   \(ParserDifferentialTests.describe(ours))
                    llhttp: \(ParserDifferentialTests.describe(llhttp))
                    """)
            }
        }

        func report(_ title: String) {
            let accepted = self.agreements[.bothAccept, default: 0]
            let refused = self.agreements[.bothReject, default: 0]
            var lines = [
                "\(title): \(self.cases) cases, \(accepted + refused) agreements (\(accepted) both accept, \(refused) both reject), "
                    + "\(self.differences.values.reduce(0, +)) deliberate differences, \(self.unclassified) unclassified"
            ]
            for difference in Difference.allCases where self.differences[difference] != nil {
                lines.append("  \(self.differences[difference]!) \(difference): \(difference.reason)")
            }
            print(lines.joined(separator: "\n"))
        }
    }

    static func describe(_ bytes: [UInt8]) -> String {
        "\""
            + bytes.map { byte in
                switch byte {
                case 0x0D: "\\r"
                case 0x0A: "\\n"
                case 0x09: "\\t"
                case 0x22: "\\\""
                case 0x5C: "\\\\"
                case 0x20...0x7E: String(UnicodeScalar(byte))
                default: "\\u{\(String(byte, radix: 16))}"
                }
            }.joined() + "\""
    }

    static func describe(_ outcome: Outcome) -> String {
        let requests = outcome.requests.map { request in
            let end = request.end.map(String.init) ?? "-"
            return
                "\(request.head.method.rawValue) \(request.head.uri) \(request.head.version) body \(request.body.count) end \(end)"
        }
        return "[\(requests.joined(separator: "; "))] \(outcome.error.map { "error \($0)" } ?? "no error")"
    }
}

extension StringProtocol {
    fileprivate var trimmed: Substring {
        let text = Substring(self)
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map(text.index(after:)) ?? start
        return text[start..<end]
    }
}

/// A seeded generator (SplitMix64), so that every run draws the same cases.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(self.next() % UInt64(bound))
    }
}
