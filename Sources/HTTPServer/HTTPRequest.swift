package import NIOCore
package import NIOHTTP1
import UServiceSupport

/// One whole HTTP request, body included, as responders see it.
package struct HTTPRequest: Sendable {
    package let head: HTTPRequestHead
    package var body: ByteBuffer
    /// The peer's socket address.
    package var remote: SocketAddress?
    /// Where the path starts in the URI: found once, as routing and the access log need it.
    private let pathStart: String.Index
    /// Where `?` is in the URI, if anywhere: found once, as routing and query lookups need it.
    private let queryStart: String.Index?

    package init(head: HTTPRequestHead, body: ByteBuffer = ByteBuffer(), remote: SocketAddress? = nil) {
        self.head = head
        self.body = body
        self.remote = remote
        self.pathStart = Self.pathStart(of: head.uri)
        self.queryStart = head.uri.utf8.firstIndex(of: UInt8(ascii: "?"))
    }

    /// The path of an origin-form target (`/path?query`) starts it, at no cost; an
    /// absolute-form target (`http://host/path?query`, RFC 9112, 3.2.2) is routed by the path
    /// after its authority. Anything else (`*`) is its own path.
    private static func pathStart(of uri: String) -> String.Index {
        let utf8 = uri.utf8
        guard utf8.first != UInt8(ascii: "/"), let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
            utf8[..<colon].allSatisfy(HTTPHeadFields.isLetter),
            utf8[colon...].starts(with: "://".utf8)
        else { return uri.startIndex }
        let authority = utf8.index(colon, offsetBy: 3)
        return utf8[authority...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? utf8.endIndex
    }

    /// The peer's address as `IP:port`, empty when unknown.
    package var remoteAddress: String {
        guard let remote = self.remote, let ip = remote.ipAddress, let port = remote.port else { return "" }
        return "\(ip):\(port)"
    }

    package var method: HTTPMethod { self.head.method }

    /// The path without the query string (and, for an absolute-form target, without the scheme
    /// and authority); `/` when an absolute-form target has none.
    package var path: Substring {
        let uri = self.head.uri
        let path = uri[self.pathStart..<(self.queryStart ?? uri.endIndex)]
        return path.isEmpty ? "/" : path
    }

    /// The values of query parameter `name`, percent-decoded; `exclude=a,b` and
    /// `exclude=a&exclude=b` both give `["a", "b"]` when `splittingCommas`.
    package func queryValues(_ name: String, splittingCommas: Bool = false) -> [String] {
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
