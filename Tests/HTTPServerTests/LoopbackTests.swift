import HTTPServer
import NIOCore
import Testing

/// Who counts as a peer inside the pod: the rule behind the endpoints that change state.
@Suite("loopback peers")
struct LoopbackTests {
    @Test(arguments: [
        ("127.0.0.1", true), ("127.255.3.4", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("::ffff:127.9.9.9", true), ("128.0.0.1", false), ("10.0.0.1", false), ("0.0.0.0", false),
        ("::2", false), ("::ffff:10.0.0.1", false), ("fe80::1", false), ("::127.0.0.1", false),
    ])
    func loopback(address: String, expected: Bool) throws {
        #expect(try SocketAddress(ipAddress: address, port: 40000).isLoopback == expected, "\(address)")
    }

    @Test func aUnixSocketPeerIsNotLoopback() throws {
        #expect(try !SocketAddress(unixDomainSocketPath: "/tmp/x.sock").isLoopback)
    }
}
