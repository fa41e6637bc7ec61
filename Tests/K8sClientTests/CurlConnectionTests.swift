import Foundation
import Testing

@testable import K8sClient

#if canImport(Glibc)
import Glibc
#endif

@Suite("libcurl connection")
struct CurlConnectionTests {
    @Test func aRefusedConnectionIsATransportError() throws {
        let connection = try CurlConnection()
        #expect {
            _ = try connection.perform(CurlRequest(url: "http://127.0.0.1:1/", connectTimeout: .seconds(2)))
        } throws: { error in
            (error as? CurlError)?.code == 7  // CURLE_COULDNT_CONNECT
        }
    }

    @Test func onlyHTTPAndHTTPSAreFollowed() throws {
        let connection = try CurlConnection()
        #expect {
            _ = try connection.perform(CurlRequest(url: "file:///etc/passwd"))
        } throws: { error in
            (error as? CurlError)?.code == 1  // CURLE_UNSUPPORTED_PROTOCOL
        }
    }

    @Test func cancellationStopsATransferThatGetsNoAnswer() throws {
        // A listener that accepts (in the kernel's backlog) and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, length) == 0, listen(listener, 4) == 0,
                    getsockname(listener, raw, &length) == 0
                else { throw CurlError(code: 0, message: "cannot listen") }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let cancellation = TransferCancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let started = Date()
        #expect {
            _ = try CurlConnection().perform(
                CurlRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(30)), cancellation: cancellation)
        } throws: { error in
            (error as? CurlError)?.isCancelled == true
        }
        // Far from the 30 s timeout: the cancellation, not the timeout, ended it.
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
