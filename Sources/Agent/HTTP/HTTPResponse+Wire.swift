import NIOCore
import NIOHTTP1

extension HTTPResponse {
    /// Bodies up to this size are copied behind the head, so the response leaves in one write.
    private static let inlineBodyLimit = 4096

    /// The response as it goes on the wire: the status line, the responder's headers,
    /// `content-length`, `connection: close` unless `keepAlive`, the empty line and, unless
    /// `includingBody` is false (an answer to HEAD), the body. A small body comes in `head`; a
    /// large one is returned as `body`, to be written after it without a copy.
    func wire(
        version: HTTPVersion,
        keepAlive: Bool,
        includingBody: Bool,
        allocator: ByteBufferAllocator
    ) -> (head: ByteBuffer, body: ByteBuffer?) {
        let inline = includingBody && self.body.readableBytes <= Self.inlineBodyLimit
        var head = allocator.buffer(capacity: 160 + (inline ? self.body.readableBytes : 0))
        head.writeStaticString(version == .http1_0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        head.writeString(String(self.status.code))
        head.writeStaticString(" ")
        head.writeString(self.status.reasonPhrase)
        head.writeStaticString("\r\n")
        for (name, value) in self.headers {
            Self.writeFieldText(name, into: &head)
            head.writeStaticString(": ")
            Self.writeFieldText(value, into: &head)
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("content-length: ")
        head.writeString(String(self.body.readableBytes))
        head.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nconnection: close\r\n\r\n")
        guard includingBody, self.body.readableBytes > 0 else { return (head, nil) }
        guard inline else { return (head, self.body) }
        head.writeImmutableBuffer(self.body)
        return (head, nil)
    }

    /// Writes a header name or value; line breaks and other control bytes (from a plugin, say)
    /// become spaces, so a value can never split the head.
    private static func writeFieldText(_ text: String, into buffer: inout ByteBuffer) {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            buffer.writeString(text)
            return
        }
        buffer.writeBytes(text.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 })
    }
}
