// The libFuzzer entry point for HTTPRequestParser (linked in from Sources/HTTPServer): parses
// each input whole and in small pieces, checks the invariants of what comes out, and traps
// (a crash libFuzzer keeps) when one breaks.
import NIOCore
import NIOHTTP1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let whole = ParsedStream(input, pieceSize: max(1, size))
    // However the bytes are split, the parser must frame them the same.
    let pieces = ParsedStream(input, pieceSize: 1 + size % 16)
    precondition(
        whole.events == pieces.events,
        "split into \(1 + size % 16)-byte pieces: \(pieces.events), whole: \(whole.events)")
    return 0
}

/// What the parser made of a stream, each part checked as it comes.
struct ParsedStream {
    enum Event: Equatable {
        case head(method: String, uri: String, version: HTTPVersion, framing: HTTPRequestParser.BodyFraming)
        /// Body bytes, consecutive parts merged.
        case body(Int)
        /// The request ended with this many bytes of the stream consumed.
        case end(consumed: Int)
        case refused
    }

    static let maxHeadBytes = 512

    private(set) var events: [Event] = []
    /// The framing of the request in progress and its body bytes so far.
    private var current: (framing: HTTPRequestParser.BodyFraming, bodyBytes: Int)?

    init(_ input: UnsafeBufferPointer<UInt8>, pieceSize: Int) {
        var parser = HTTPRequestParser(maxHeadBytes: Self.maxHeadBytes)
        var buffer = ByteBuffer()
        var fed = 0
        while fed < input.count {
            let piece = UnsafeBufferPointer(rebasing: input[fed..<min(input.count, fed + pieceSize)])
            buffer.writeBytes(piece)
            fed += piece.count
            do {
                while let part = try parser.next(from: &buffer) {
                    let consumed = fed - buffer.readableBytes
                    precondition(consumed >= 0 && consumed <= fed, "consumed \(consumed) of \(fed) bytes")
                    self.check(part, consumed: consumed, parser: parser)
                }
            } catch {
                precondition(error.status == .badRequest || error.status == .notImplemented, "\(error)")
                self.events.append(.refused)
                return
            }
        }
    }

    /// Parts come as head, body*, end; a body has the length its framing says.
    private mutating func check(_ part: HTTPRequestParser.Part, consumed: Int, parser: HTTPRequestParser) {
        switch part {
        case .head(let head, let framing, _):
            precondition(self.current == nil, "a head inside a request")
            Self.check(head, framing: framing)
            self.current = (framing, 0)
            self.events.append(
                .head(method: head.method.rawValue, uri: head.uri, version: head.version, framing: framing))
        case .body(let chunk):
            guard let current = self.current, current.framing != .none, chunk.readableBytes > 0 else {
                preconditionFailure("a body part outside a request with a body, or empty")
            }
            self.current!.bodyBytes += chunk.readableBytes
            if case .length(let length) = current.framing {
                precondition(self.current!.bodyBytes <= length, "body over its length")
            }
            if case .body(let bytes) = self.events.last {
                self.events[self.events.count - 1] = .body(bytes + chunk.readableBytes)
            } else {
                self.events.append(.body(chunk.readableBytes))
            }
        case .end:
            guard let current = self.current else { preconditionFailure("an end outside a request") }
            if case .length(let length) = current.framing {
                precondition(current.bodyBytes == length, "body shorter than its length")
            }
            precondition(parser.state == .head(scanned: 0), "\(parser.state) after an end")
            self.current = nil
            self.events.append(.end(consumed: consumed))
        }
    }

    /// A head holds what the grammar allows, and routes by a path.
    private static func check(_ head: HTTPRequestHead, framing: HTTPRequestParser.BodyFraming) {
        precondition(head.version == .http1_1 || head.version == .http1_0)
        precondition(!head.method.rawValue.isEmpty && head.method.rawValue.utf8.allSatisfy(HTTPHeadFields.isTokenByte))
        precondition(head.method != .CONNECT)
        precondition(!head.uri.isEmpty && head.uri.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        let hosts = head.headers["host"].count
        precondition(hosts == 1 || hosts == 0 && head.version == .http1_0, "\(hosts) hosts")
        let lengths = head.headers["content-length"]
        let codings = head.headers["transfer-encoding"]
        switch framing {
        case .none: precondition(lengths.isEmpty && codings.isEmpty)
        case .length(let length):
            precondition(lengths.count == 1 && Int(lengths[0]) == length && codings.isEmpty)
        case .chunked:
            precondition(
                lengths.isEmpty && codings.count == 1 && codings[0].lowercased() == "chunked"
                    && head.version == .http1_1)
        }
        let request = HTTPRequest(head: head)
        let path = request.path
        precondition(
            !path.isEmpty && (head.uri.first != "/" || head.uri.hasPrefix(path)), "path \(path) of \(head.uri)")
        precondition(head.uri == "*" || path.first == "/", "path \(path) of \(head.uri)")
        _ = request.queryValues("x", splittingCommas: true)
    }
}
