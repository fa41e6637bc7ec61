import NIOCore
import NIOHTTP1

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
/// (request smuggling): bare LF, obsolete line folding, whitespace before a colon, both framings,
/// conflicting lengths, transfer codings other than `chunked`.
struct HTTPRequestParser {
    /// A part of a request, in order: one head, body chunks, one end.
    enum Part {
        case head(HTTPRequestHead, body: BodyFraming)
        case body(ByteBuffer)
        case end
    }

    /// How the body of a request is delimited.
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    private enum State {
        /// Looking for the end of the head; `scanned` bytes are known not to end it.
        case head(scanned: Int)
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        /// After the last chunk: trailer fields (ignored) up to an empty line.
        case trailers(bytes: Int)
        case end
    }

    /// The longest request head (request line and header fields) accepted; it also bounds the
    /// trailer fields of a chunked body.
    let maxHeadBytes: Int
    private var state = State.head(scanned: 0)

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// The next part of the request from the front of `buffer`, consuming its bytes; nil when
    /// more bytes are needed.
    mutating func next(from buffer: inout ByteBuffer) throws(HTTPRequestError) -> Part? {
        switch self.state {
        case .head(let scanned):
            return try self.head(from: &buffer, scanned: scanned)
        case .fixedBody(let remaining):
            guard let (chunk, left) = Self.body(from: &buffer, upTo: remaining) else { return nil }
            self.state = left == 0 ? .end : .fixedBody(remaining: left)
            return .body(chunk)
        case .chunkSize:
            guard let line = try Self.line(in: buffer, limit: 1024) else { return nil }
            let size = try Self.chunkSize(buffer.readableBytesView.prefix(line))
            buffer.moveReaderIndex(forwardBy: line + 2)
            self.state = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            return try self.next(from: &buffer)
        case .chunkData(let remaining):
            guard let (chunk, left) = Self.body(from: &buffer, upTo: remaining) else { return nil }
            self.state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
            return .body(chunk)
        case .chunkDataEnd:
            guard buffer.readableBytes >= 2 else { return nil }
            guard buffer.readInteger(as: UInt16.self) == Self.crlf else { throw .malformed("chunk data does not end with CRLF") }
            self.state = .chunkSize
            return try self.next(from: &buffer)
        case .trailers(let bytes):
            guard let line = try Self.line(in: buffer, limit: max(0, self.maxHeadBytes - bytes)) else { return nil }
            buffer.moveReaderIndex(forwardBy: line + 2)
            self.state = line == 0 ? .end : .trailers(bytes: bytes + line + 2)
            return try self.next(from: &buffer)
        case .end:
            self.state = .head(scanned: 0)
            return .end
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
                throw HTTPRequestError(status: .badRequest, reason: "request head is larger than \(self.maxHeadBytes) bytes")
            }
            try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in try HTTPHeadFields.checkIncomplete(bytes) }
            self.state = .head(scanned: buffer.readableBytes)
            return nil
        }
        let (head, framing) = try buffer.withUnsafeReadableBytes { bytes throws(HTTPRequestError) in
            var fields = HTTPHeadFields(UnsafeRawBufferPointer(rebasing: bytes[..<(headLength - 2)]))
            return try fields.parse()
        }
        buffer.moveReaderIndex(forwardBy: headLength)
        switch framing {
        case .none: self.state = .end
        case .length(let length): self.state = length == 0 ? .end : .fixedBody(remaining: length)
        case .chunked: self.state = .chunkSize
        }
        return .head(head, body: framing)
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

    /// The length of the first line in `buffer`, without its CRLF, when it is all there.
    private static func line(in buffer: ByteBuffer, limit: Int) throws(HTTPRequestError) -> Int? {
        let view = buffer.readableBytesView
        guard let lineFeed = view.prefix(limit + 2).firstIndex(of: 0x0A) else {
            guard view.count < limit + 2 else { throw .malformed("line in a chunked body is too long") }
            return nil
        }
        let length = lineFeed - view.startIndex
        guard length > 0, view[lineFeed - 1] == 0x0D else { throw .malformed("bare LF in a chunked body") }
        return length - 1
    }

    /// A chunk-size line: hexadecimal digits, then optional extensions (ignored).
    private static func chunkSize(_ line: ByteBufferView) throws(HTTPRequestError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = byte.hexDigitValue else {
                guard digits > 0, byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else {
                    throw .malformed("invalid chunk size")
                }
                break
            }
            digits += 1
            guard digits <= 15 else { throw .malformed("chunk size is too large") }
            size = size << 4 | Int(value)
        }
        guard digits > 0 else { throw .malformed("invalid chunk size") }
        return size
    }
}
