internal import NIOCore
internal import NIOHTTP1
import UServiceSupport

extension HTTPResponse {
    /// Bodies up to this size are copied behind the head, so the response leaves in one write.
    private static let inlineBodyLimit = 4096

    /// The response as it goes on the wire: the status line (`HTTP/1.1` also to an HTTP/1.0
    /// client, as RFC 9110, 6.2 has a server name the highest version it speaks), the responder's headers,
    /// `content-length`, the connection's fate (`connection: close` unless `keepAlive`;
    /// `connection: keep-alive` to an HTTP/1.0 client, which would close otherwise), the empty
    /// line and, unless `includingBody` is false (an answer to HEAD), the body. A small body
    /// comes in `head`; a large one is returned as `body`, to be written after it without a copy.
    ///
    /// A 1xx, 204 or 304 answer never has a body (RFC 9110, 6.4.1): one given is not sent, and
    /// no `content-length` is either.
    func wire(
        version: HTTPVersion,
        keepAlive: Bool,
        includingBody: Bool,
        allocator: ByteBufferAllocator
    ) -> (head: ByteBuffer, body: ByteBuffer?) {
        let bodyAllowed = Self.allowsBody(self.status.code)
        let sendsBody = includingBody && bodyAllowed && self.body.readableBytes > 0
        let inline = sendsBody && self.body.readableBytes <= Self.inlineBodyLimit
        let reason = self.status.reasonPhrase
        // "HTTP/1.1 " code " " reason CRLF, "content-length: " digits, "CRLF connection: keep-alive CRLF CRLF"
        var maxBytes = 9 + 20 + 1 + reason.utf8.count + 2 + 16 + 20 + 28
        for (name, value) in self.headers {
            maxBytes += name.utf8.count + 2 + value.utf8.count + 2
        }
        if inline { maxBytes += self.body.readableBytes }
        var head = allocator.buffer(capacity: maxBytes)
        head.writeDirectly(upTo: maxBytes) { writer in
            writer.append("HTTP/1.1 ")
            writer.append(decimal: Int(self.status.code))
            writer.append(byte: UInt8(ascii: " "))
            Self.writeFieldText(reason, to: &writer)
            writer.append("\r\n")
            for (name, value) in self.headers {
                Self.writeFieldText(name, to: &writer)
                writer.append(": ")
                Self.writeFieldText(value, to: &writer)
                writer.append("\r\n")
            }
            if bodyAllowed {
                writer.append("content-length: ")
                writer.append(decimal: self.body.readableBytes)
                writer.append("\r\n")
            }
            if !keepAlive {
                writer.append("connection: close\r\n")
            } else if version == .http1_0 {
                writer.append("connection: keep-alive\r\n")
            }
            writer.append("\r\n")
            if inline { writer.append(self.body) }
        }
        guard sendsBody, !inline else { return (head, nil) }
        return (head, self.body)
    }

    /// False for the statuses whose answers end with their head: 1xx, 204 and 304.
    static func allowsBody(_ code: UInt) -> Bool {
        code >= 200 && code != 204 && code != 304
    }

    /// Writes a header name or value (or reason phrase); line breaks and other control bytes
    /// (from a plugin, say) become spaces, so a value can never split the head.
    private static func writeFieldText(_ text: String, to writer: inout UnsafeByteWriter) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                return writer.append(UnsafeRawBufferPointer(bytes))
            }
            for byte in bytes {
                writer.append(byte: byte < 0x20 || byte == 0x7F ? UInt8(ascii: " ") : byte)
            }
        }
    }
}
