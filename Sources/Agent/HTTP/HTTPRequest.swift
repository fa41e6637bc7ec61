import NIOCore
import NIOHTTP1

/// One whole HTTP request, body included, as responders see it.
public struct HTTPRequest: Sendable {
    public let head: HTTPRequestHead
    public var body: ByteBuffer
    /// The peer's socket address.
    public var remote: SocketAddress?
    /// Where `?` is in the URI, if anywhere: found once, as routing and query lookups need it.
    private let queryStart: String.Index?

    public init(head: HTTPRequestHead, body: ByteBuffer = ByteBuffer(), remote: SocketAddress? = nil) {
        self.head = head
        self.body = body
        self.remote = remote
        self.queryStart = head.uri.utf8.firstIndex(of: UInt8(ascii: "?"))
    }

    /// The peer's address as `IP:port`, empty when unknown.
    public var remoteAddress: String {
        guard let remote = self.remote, let ip = remote.ipAddress, let port = remote.port else { return "" }
        return "\(ip):\(port)"
    }

    public var method: HTTPMethod { self.head.method }

    /// The path without the query string.
    public var path: Substring {
        let uri = self.head.uri
        return uri[..<(self.queryStart ?? uri.endIndex)]
    }

    /// The values of query parameter `name`, percent-decoded; `exclude=a,b` and
    /// `exclude=a&exclude=b` both give `["a", "b"]` when `splittingCommas`.
    public func queryValues(_ name: String, splittingCommas: Bool = false) -> [String] {
        guard let start = self.queryStart else { return [] }
        var values: [String] = []
        for pair in self.head.uri[self.head.uri.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard PercentDecoding.decode(parts[0]) == name else { continue }
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1]) : ""
            if splittingCommas {
                values += value.split(separator: ",").map(String.init)
            } else {
                values.append(value)
            }
        }
        return values
    }
}

/// Decoding of `%XX` escapes and `+` in query strings.
enum PercentDecoding {
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next()?.hexDigitValue
                let low = iterator.next()?.hexDigitValue
                if let high, let low { bytes.append(high << 4 | low) }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
