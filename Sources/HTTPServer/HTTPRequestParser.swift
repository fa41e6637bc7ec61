internal import NIOCore
internal import NIOHTTP1
import UServiceSupport

/// Why a request cannot be served: it is answered with `status` and the connection closes.
struct HTTPRequestError: Error, Equatable {
    var status: HTTPResponseStatus
    var reason: String

    static func malformed(_ reason: String) -> HTTPRequestError {
        HTTPRequestError(status: .badRequest, reason: reason)
    }
}

/// An incremental, strict HTTP/1.1 request parser (RFC 9112): the request line and header
/// fields, then a body framed by `Content-Length` or the chunked transfer coding.
///
/// It consumes bytes from the front of a buffer as they arrive and returns one part of the
/// request at a time, never reading past the end of the current request, so pipelined requests
/// stay in the buffer. What other parsers might read two ways is refused rather than guessed
/// (request smuggling): bare CR or LF, obsolete line folding, whitespace before a colon, both
/// framings, repeated lengths, transfer codings other than `chunked`, framing fields in
/// trailers, chunk extensions off the grammar. Its framing is at least as strict as llhttp's
/// (NIOHTTP1's parser); `ParserDifferentialTests` compares the two and lists where they differ
/// on purpose.
struct HTTPRequestParser {
    /// A part of a request, in order: one head, body chunks, one end.
    enum Part {
        /// The head, how its body is framed, and whether the client lets the connection stay
        /// open after the answer (its `Connection` options and HTTP version).
        case head(HTTPRequestHead, body: BodyFraming, keepAlive: Bool)
        case body(ByteBuffer)
        case end
    }

    /// How the body of a request is delimited.
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// Where the parser is in the stream (tests and the fuzz target look at it).
    enum State: Equatable {
        /// Looking for the end of the head; `scanned` bytes are known not to end it.
        case head(scanned: Int)
        case fixedBody(remaining: Int)
        /// In a chunked body, `metadata` counts its chunk-extension and trailer bytes so far.
        case chunkSize(metadata: Int)
        case chunkData(remaining: Int, metadata: Int)
        case chunkDataEnd(metadata: Int)
        /// After the last chunk: trailer fields (checked, then ignored) up to an empty line.
        case trailers(metadata: Int)
        case end
    }

    /// The longest request head (request line and header fields) accepted. It also bounds the
    /// chunk extensions and trailer fields of one chunked body together: the agent ignores
    /// them, and nothing else would stop a client sending them forever with little or no data.
    let maxHeadBytes: Int
    private(set) var state = State.head(scanned: 0)

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// The next part of the request from the front of `buffer`, consuming its bytes; nil when
    /// more bytes are needed.
    ///
    /// Lines that yield no part (chunk sizes, chunk ends, trailer fields) each take a turn of
    /// the loop, never a recursive call: a body of many small chunks or trailer lines needs no
    /// more stack than one.
    mutating func next(from buffer: inout ByteBuffer) throws(HTTPRequestError) -> Part? {
        while true {
            switch self.state {
            case .head(let scanned):
                return try self.head(from: &buffer, scanned: scanned)
            case .fixedBody(let remaining):
                guard let (chunk, left) = Self.body(from: &buffer, upTo: remaining) else { return nil }
                self.state = left == 0 ? .end : .fixedBody(remaining: left)
                return .body(chunk)
            case .chunkSize(let metadata):
                guard try self.chunkSize(from: &buffer, metadata: metadata) else { return nil }
            case .chunkData(let remaining, let metadata):
                guard let (chunk, left) = Self.body(from: &buffer, upTo: remaining) else { return nil }
                self.state =
                    left == 0 ? .chunkDataEnd(metadata: metadata) : .chunkData(remaining: left, metadata: metadata)
                return .body(chunk)
            case .chunkDataEnd(let metadata):
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == Self.crlf else {
                    throw .malformed("chunk data does not end with CRLF")
                }
                self.state = .chunkSize(metadata: metadata)
            case .trailers(let metadata):
                guard try self.trailerField(from: &buffer, metadata: metadata) else { return nil }
            case .end:
                self.state = .head(scanned: 0)
                return .end
            }
        }
    }

    private static let crlf = UInt16(0x0D0A)

    /// Up to `remaining` bytes of body from the front of `buffer`, and how many are still to
    /// come; nil when no byte has arrived.
    private static func body(from buffer: inout ByteBuffer, upTo remaining: Int) -> (ByteBuffer, left: Int)? {
        guard buffer.readableBytes > 0 else { return nil }
        let chunk = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
        return (chunk, remaining - chunk.readableBytes)
    }

    private mutating func head(from buffer: inout ByteBuffer, scanned: Int) throws(HTTPRequestError) -> Part? {
        // A robust server ignores empty lines before a request line (RFC 9112, 2.2).
        var scanned = scanned
        while buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) == Self.crlf {
            buffer.moveReaderIndex(forwardBy: 2)
            scanned = max(0, scanned - 2)
        }
        guard let headLength = Self.endOfHead(in: buffer, from: max(0, scanned - 3), limit: self.maxHeadBytes) else {
            guard buffer.readableBytes < self.maxHeadBytes + 4 else {
                throw HTTPRequestError(
                    status: .badRequest, reason: "request head is larger than \(self.maxHeadBytes) bytes")
            }
            try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in
                try HTTPHeadFields.checkIncomplete(bytes)
            }
            self.state = .head(scanned: buffer.readableBytes)
            return nil
        }
        let (head, framing, keepAlive) = try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in
            var fields = HTTPHeadFields(UnsafeRawBufferPointer(rebasing: bytes[..<(headLength - 2)]))
            return try fields.parse()
        }
        buffer.moveReaderIndex(forwardBy: headLength)
        switch framing {
        case .none: self.state = .end
        case .length(let length): self.state = length == 0 ? .end : .fixedBody(remaining: length)
        case .chunked: self.state = .chunkSize(metadata: 0)
        }
        return .head(head, body: framing, keepAlive: keepAlive)
    }

    /// The length of the head including its closing empty line, when it is all in `buffer`.
    private static func endOfHead(in buffer: ByteBuffer, from start: Int, limit: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            let end = min(bytes.count, limit + 4)
            var index = start
            while index + 3 < end {
                if bytes[index + 3] != 0x0A {
                    index += bytes[index + 3] == 0x0D ? 1 : 4
                } else if bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D {
                    return index + 4
                } else {
                    index += 1
                }
            }
            return nil
        }
    }

    /// Reads a chunk-size line, then expects its data, or the trailers after the last chunk;
    /// false while the line is incomplete.
    private mutating func chunkSize(from buffer: inout ByteBuffer, metadata: Int) throws(HTTPRequestError) -> Bool {
        let allowance = self.maxHeadBytes - metadata
        guard let length = try self.line(in: buffer, limit: ChunkSizeLine.maxDigits + allowance) else { return false }
        let (size, extensionBytes) = try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in
            try ChunkSizeLine.parse(UnsafeRawBufferPointer(rebasing: bytes[..<length]))
        }
        guard extensionBytes <= allowance else { throw self.metadataTooLarge }
        buffer.moveReaderIndex(forwardBy: length + 2)
        let metadata = metadata + extensionBytes
        self.state = size == 0 ? .trailers(metadata: metadata) : .chunkData(remaining: size, metadata: metadata)
        return true
    }

    /// Reads a trailer field line, or the empty line that ends the body; false while the line
    /// is incomplete.
    private mutating func trailerField(from buffer: inout ByteBuffer, metadata: Int) throws(HTTPRequestError) -> Bool {
        // The line's CRLF counts, but the empty line that ends the body always fits.
        guard let length = try self.line(in: buffer, limit: max(0, self.maxHeadBytes - metadata - 2)) else {
            return false
        }
        if length > 0 {
            try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in
                try HTTPHeadFields.checkTrailerField(UnsafeRawBufferPointer(rebasing: bytes[..<length]))
            }
        }
        buffer.moveReaderIndex(forwardBy: length + 2)
        self.state = length == 0 ? .end : .trailers(metadata: metadata + length + 2)
        return true
    }

    private var metadataTooLarge: HTTPRequestError {
        .malformed("chunk extensions and trailer fields are larger than \(self.maxHeadBytes) bytes")
    }

    /// The length of the first line in `buffer`, without its CRLF, when it is all there; a
    /// line longer than `limit` is over the bound of the body's metadata.
    private func line(in buffer: ByteBuffer, limit: Int) throws(HTTPRequestError) -> Int? {
        let view = buffer.readableBytesView
        guard let lineFeed = view.prefix(limit + 2).firstIndex(of: 0x0A) else {
            guard view.count < limit + 2 else { throw self.metadataTooLarge }
            return nil
        }
        let length = lineFeed - view.startIndex
        guard length > 0, view[lineFeed - 1] == 0x0D else { throw .malformed("bare LF in a chunked body") }
        return length - 1
    }
}

/// A chunk-size line without its CRLF (RFC 9112, 7.1.1): the size in hexadecimal, then
/// extensions, checked and ignored:
/// `1*HEXDIG *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )`, a name a token, a value a
/// token or a quoted string.
private struct ChunkSizeLine {
    /// A 64-bit field, as llhttp reads it; leading zeros count, so a line cannot be padded.
    static let maxDigits = 16

    private static let invalidExtension = HTTPRequestError.malformed("invalid chunk extension")

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The chunk size, and how many bytes of the line its extensions take.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPRequestError) -> (size: Int, extensionBytes: Int) {
        var line = ChunkSizeLine(bytes)
        let size = try line.size()
        let digits = line.index
        while !line.atEnd {
            try line.chunkExtension()
        }
        return (size, bytes.count - digits)
    }

    private var atEnd: Bool { self.index == self.bytes.count }

    private mutating func size() throws(HTTPRequestError) -> Int {
        var size = 0
        while !self.atEnd, let digit = self.bytes[self.index].hexDigitValue {
            // Below 2^59 before the shift keeps the size within an Int.
            guard self.index < Self.maxDigits, size >> 59 == 0 else { throw .malformed("chunk size is too large") }
            size = size << 4 | Int(digit)
            self.index += 1
        }
        guard self.index > 0 else { throw .malformed("invalid chunk size") }
        return size
    }

    /// `BWS ";" BWS ext-name [ BWS "=" BWS ext-value ]`.
    private mutating func chunkExtension() throws(HTTPRequestError) {
        self.skipWhitespace()
        guard self.skip(UInt8(ascii: ";")) else { throw Self.invalidExtension }
        self.skipWhitespace()
        guard self.token() else { throw Self.invalidExtension }
        let afterName = self.index
        self.skipWhitespace()
        guard self.skip(UInt8(ascii: "=")) else {
            // Whitespace that no `=` follows is the next extension's BWS: a line cannot end in it.
            self.index = afterName
            return
        }
        self.skipWhitespace()
        guard self.token() || self.quotedString() else { throw Self.invalidExtension }
    }

    /// Skips `1*tchar`; false if there is none.
    private mutating func token() -> Bool {
        let start = self.index
        while !self.atEnd, HTTPHeadFields.isTokenByte(self.bytes[self.index]) { self.index += 1 }
        return self.index > start
    }

    /// Skips `DQUOTE *( qdtext / quoted-pair ) DQUOTE`; false if there is none, or it is invalid.
    private mutating func quotedString() -> Bool {
        guard self.skip(UInt8(ascii: "\"")) else { return false }
        while !self.atEnd {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard !self.atEnd, HTTPHeadFields.isFieldTextByte(self.bytes[self.index]) else { return false }
                self.index += 1
            default:
                guard HTTPHeadFields.isFieldTextByte(byte) else { return false }
            }
        }
        return false
    }

    private mutating func skipWhitespace() {
        while !self.atEnd, HTTPHeadFields.isWhitespace(self.bytes[self.index]) { self.index += 1 }
    }

    private mutating func skip(_ byte: UInt8) -> Bool {
        guard !self.atEnd, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }
}
