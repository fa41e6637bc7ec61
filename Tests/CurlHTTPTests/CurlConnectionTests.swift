import Foundation
import K8sClient
import Logging
import Synchronization
import Testing

@testable import CurlHTTP

#if canImport(Glibc)
import Glibc
#endif

@Suite("libcurl connection")
struct CurlConnectionTests {
    @Test func aRefusedConnectionIsATransportError() throws {
        let connection = try CurlConnection()
        #expect {
            _ = try connection.perform(
                CurlRequest(url: "http://127.0.0.1:1/", connectTimeout: .seconds(2), protocols: .http))
        } throws: { error in
            (error as? CurlError)?.code == 7  // CURLE_COULDNT_CONNECT
        }
    }

    @Test func onlyHTTPAndHTTPSAreFollowed() throws {
        let connection = try CurlConnection()
        #expect {
            _ = try connection.perform(CurlRequest(url: "file:///etc/passwd", protocols: [.http, .https]))
        } throws: { error in
            (error as? CurlError)?.code == 1  // CURLE_UNSUPPORTED_PROTOCOL
        }
    }

    @Test func requestsAreHTTPSOnlyUnlessTheyAllowHTTP() throws {
        #expect(CurlRequest(url: "https://example.invalid/").protocols == .https)
        #expect(CurlProtocols.https.curlList == "https")
        #expect(CurlProtocols.http.curlList == "http")
        #expect(CurlProtocols([.http, .https]).curlList == "http,https")
        #expect(CurlProtocols().curlList == "https")

        // A server that would hold an allowed request for the whole timeout.
        let listener = try SilentListener()
        let started = Date()
        #expect {
            _ = try CurlConnection().perform(
                CurlRequest(url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(30)))
        } throws: { error in
            guard let error = error as? CurlError else { return false }
            return error.isUnsupportedProtocol
                && error.message == #""http" is not allowed (only https URLs): http://127.0.0.1:\#(listener.port)/"#
        }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!listener.hasPendingConnection, "refused before connecting")

        // The same URL with http allowed connects (and is then cancelled).
        Self.expectCancelledTransfer(to: listener)
        #expect(listener.hasPendingConnection)
    }

    @Test func anHTTPAPIServerIsRefusedAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-http-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "secret-token".write(to: folder.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let listener = try SilentListener()
        let cluster = ClusterConfig(
            apiServer: "http://127.0.0.1:\(listener.port)", tokenPath: folder.appendingPathComponent("token").path,
            caPath: folder.appendingPathComponent("ca.crt").path, namespace: "demo", podName: "web-0")
        let client = try KubernetesClient(cluster: cluster, timeout: .seconds(30), logger: Logger(label: "test"))
        let started = Date()
        #expect {
            _ = try client.serverVersion()
        } throws: { error in
            guard let error = error as? KubernetesError, case .transport(let transport) = error else { return false }
            return transport.isUnsupportedProtocol && !error.isRetryable
                && error.description.contains(#""http" is not allowed (only https URLs)"#)
        }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!listener.hasPendingConnection, "the token never left on plain HTTP")
    }

    @Test func cancellationStopsATransferThatGetsNoAnswer() throws {
        let listener = try SilentListener()
        let started = Date()
        Self.expectCancelledTransfer(to: listener)
        // Far from the 30 s timeout: the cancellation, not the timeout, ended it.
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// Sends a plain-HTTP request with a 30 s timeout to `listener`, which never answers, and
    /// expects it cancelled 0.3 s on.
    private static func expectCancelledTransfer(to listener: SilentListener) {
        let cancellation = TransferCancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        #expect {
            _ = try CurlConnection().perform(
                CurlRequest(url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(30), protocols: .http),
                cancellation: cancellation)
        } throws: { error in
            (error as? CurlError)?.isCancelled == true
        }
    }
}

/// A listener on 127.0.0.1 that accepts (in the kernel's backlog) and never answers.
final class SilentListener {
    let socket: Int32
    let port: Int

    init() throws {
        self.socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let socket = self.socket
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(socket, raw, length) == 0, listen(socket, 4) == 0, getsockname(socket, raw, &length) == 0
                else {
                    close(socket)
                    throw CurlError(code: 0, message: "cannot listen")
                }
            }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(self.socket)
    }

    /// Whether a client connected (a connection waits in the backlog).
    var hasPendingConnection: Bool {
        var descriptor = pollfd(fd: self.socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }
}

@Suite("libcurl streaming")
struct CurlStreamTests {
    /// Accepts one connection on `listener`, reads the request, writes `answer`, then holds the
    /// connection open for `holding` seconds before closing it.
    static func serve(_ answer: String, on listener: SilentListener, holding: UInt32) {
        let socket = listener.socket
        Thread {
            let client = accept(socket, nil, nil)
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &request, request.count)
            _ = answer.withCString { write(client, $0, strlen($0)) }
            sleep(holding)
            close(client)
        }.start()
    }

    @Test func aStreamIsHandedOverAsItArrivesAndACancellationEndsItAtOnce() throws {
        let listener = try SilentListener()
        Self.serve(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello\n\r\n", on: listener, holding: 5)
        let cancellation = TransferCancellation()
        let cancelledAt = Mutex<Date?>(nil)
        var pieces: [String] = []
        let started = Date()
        #expect {
            _ = try CurlConnection().stream(
                CurlRequest(url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(30), protocols: .http),
                cancellation: cancellation
            ) { piece in
                pieces.append(String(decoding: piece, as: UTF8.self))
                if pieces.count == 2 {
                    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                        cancelledAt.withLock { $0 = Date() }
                        cancellation.cancel()
                    }
                }
                return true
            }
        } throws: { error in
            (error as? CurlError)?.isCancelled == true
        }
        let stopped = Date()
        #expect(pieces == ["", "hello\n"], "the head first (an empty piece), then the body")
        let latency = stopped.timeIntervalSince(cancelledAt.withLock { $0 } ?? started)
        // libcurl's own idle wait is up to a second; the wake-up ends it at once.
        #expect(latency < 0.5, "the cancellation took \(latency) s")
    }

    @Test func onlyTheFinalHeadIsSignalledOnceAndTrailersAreNotBody() throws {
        let listener = try SilentListener()
        Self.serve(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\nhello\n\r\n0\r\nX-Trailer: 1\r\n\r\n", on: listener, holding: 0)
        var pieces: [String] = []
        let response = try CurlConnection().stream(
            CurlRequest(url: "http://127.0.0.1:\(listener.port)/", protocols: .http)
        ) { piece in
            pieces.append(String(decoding: piece, as: UTF8.self))
            return true
        }
        #expect(response.status == 200)
        #expect(pieces == ["", "hello\n"])
    }

    @Test func aServerThatNeverAnswersMissesTheHeadDeadline() throws {
        let listener = try SilentListener()
        let started = Date()
        #expect {
            _ = try CurlConnection().stream(
                CurlRequest(
                    url: "http://127.0.0.1:\(listener.port)/", timeout: .seconds(60), headTimeout: .milliseconds(300),
                    protocols: .http)
            ) { _ in true }
        } throws: { error in
            (error as? CurlError)?.message == "no response head before the deadline"
        }
        #expect(Date().timeIntervalSince(started) < 10, "the head deadline, not the 60 s timeout, ended it")
    }
}
