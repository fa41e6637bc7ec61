import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately simple HTTP/1.1 client over a blocking socket, so tests control exactly
/// which bytes go out and see exactly what comes back (including a refused connection).
struct HTTPTestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String

        /// The body parsed as a JSON object.
        var json: [String: Any]? {
            try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) as? [String: Any]
        }
    }

    enum Failure: Error, Equatable {
        case connectionRefused
        case connectFailed(Int32)
        case closedWithoutResponse
        case malformedResponse(String)
    }

    /// A connected socket.
    final class Connection {
        let descriptor: Int32

        /// - Parameter receiveBufferBytes: a small receive buffer (set before connecting, so the
        ///   window stays small) makes a large answer wait in the server until it is read.
        init(port: Int, timeout: TimeInterval = 10, receiveBufferBytes: Int32? = nil) throws {
            self.descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(self.descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            if var bytes = receiveBufferBytes {
                setsockopt(self.descriptor, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result != 0 {
                let code = errno
                close(self.descriptor)
                throw code == ECONNREFUSED ? Failure.connectionRefused : Failure.connectFailed(code)
            }
        }

        deinit { close(self.descriptor) }

        func send(_ text: String) {
            self.send(Array(text.utf8))
        }

        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes {
                    Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if written <= 0 { return }
                offset += written
            }
        }

        /// Reads until the peer closes, the timeout passes, or `complete` says the bytes so far suffice.
        func receive(until complete: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while !complete(received) {
                let count = chunk.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += chunk[..<count]
            }
            return received
        }

        /// True when the peer has closed the connection (reads end of stream within the timeout).
        func isClosedByPeer() -> Bool {
            var byte: UInt8 = 0
            return recv(self.descriptor, &byte, 1, 0) == 0
        }

        /// Reads one response (head and `content-length` body).
        func readResponse() throws -> Response {
            let bytes = self.receive { HTTPTestClient.parse($0) != nil }
            guard !bytes.isEmpty else { throw Failure.closedWithoutResponse }
            guard let response = HTTPTestClient.parse(bytes) else {
                throw Failure.malformedResponse(String(decoding: bytes, as: UTF8.self))
            }
            return response
        }
    }

    /// Sends one request on a new connection and reads the response.
    static func request(
        port: Int,
        method: String = "GET",
        path: String,
        headers: [String: String] = [:],
        body: String = "",
        timeout: TimeInterval = 10
    ) throws -> Response {
        let connection = try Connection(port: port, timeout: timeout)
        var head = "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "content-length: \(body.utf8.count)\r\n" }
        connection.send(head + "\r\n" + body)
        return try connection.readResponse()
    }

    /// Parses a complete response, or nil when more bytes are needed.
    static func parse(_ bytes: [UInt8]) -> Response? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<headEnd.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let body = String(text[headEnd.upperBound...])
        if (100..<200).contains(status) {
            return Self.parse(Array(body.utf8))
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard body.utf8.count >= length else { return nil }
        return Response(status: status, headers: headers, body: body)
    }
}
