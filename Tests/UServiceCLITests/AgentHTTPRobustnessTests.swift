import Foundation
import Testing

/// Bad and hostile input on the data port: answered with the right status, never a crash.
@Suite("uservice start: HTTP robustness", .serialized)
struct AgentHTTPRobustnessTests {
    static let config = """
        health: {port: 0}
        server: {port: 0, requestTimeout: 1s, idleTimeout: 1500ms, maxBodyBytes: 1024, maxHeaderBytes: 2048}
        """

    @Test("malformed requests get 400 and the connection closes")
    func malformed() throws {
        let agent = try RunningAgent(config: Self.config)
        for garbage in ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nbad header line\r\n\r\n"] {
            let connection = try HTTPTestClient.Connection(port: agent.dataPort)
            connection.send(garbage)
            let response = try connection.readResponse()
            #expect(response.status == 400, "\(garbage)")
            #expect(connection.isClosedByPeer())
        }
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/").status == 200, "still serving")
    }

    @Test("a body over maxBodyBytes gets 413, declared or streamed, and the connection closes")
    func oversizedBody() throws {
        let agent = try RunningAgent(config: Self.config)
        let declared = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/echo", body: String(repeating: "x", count: 2000))
        #expect(declared.status == 413)
        #expect(declared.headers["connection"] == "close")

        let chunked = try HTTPTestClient.Connection(port: agent.dataPort)
        chunked.send("POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n")
        for _ in 0..<3 { chunked.send("200\r\n" + String(repeating: "y", count: 512) + "\r\n") }
        #expect(try chunked.readResponse().status == 413)
        #expect(chunked.isClosedByPeer())

        let fits = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/echo", body: String(repeating: "z", count: 1024))
        #expect(fits.status == 200)
        #expect(fits.body.count == 1024)
    }

    @Test("an answer that closes its connection reaches a slow reader whole before the close")
    func slowReaderOfAClosingAnswer() throws {
        // Twice what the kernel's send buffer may grow to (tcp_wmem's maximum, 4 MiB by
        // default), so the rest of the answer waits in the agent.
        let sendBufferMaximum = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } }
        let size = max(8 << 20, 2 * (sendBufferMaximum ?? 0))
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0, maxBodyBytes: \(size)}")
        let connection = try HTTPTestClient.Connection(port: agent.dataPort, receiveBufferBytes: 4096)
        connection.send(
            "POST /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: \(size)\r\n\r\n"
                + String(repeating: "z", count: size))
        usleep(300_000)
        // Read to the end of the stream: a close before the answer has left would cut it short.
        let received = connection.receive()
        let headEnd = try #require(received.firstRange(of: Array("\r\n\r\n".utf8)))
        #expect(String(decoding: received[..<headEnd.lowerBound], as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(received.count - headEnd.upperBound == size)
        #expect(connection.isClosedByPeer())
    }

    @Test("a head over maxHeaderBytes gets 400")
    func oversizedHead() throws {
        let agent = try RunningAgent(config: Self.config)
        let response = try HTTPTestClient.request(
            port: agent.dataPort, path: "/", headers: ["x-padding": String(repeating: "a", count: 4096)])
        #expect(response.status == 400)
    }

    @Test("a client that sends its request too slowly gets 408 (slowloris)")
    func slowClient() throws {
        let agent = try RunningAgent(config: Self.config)
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        connection.send("GET / HTTP/1.1\r\n")
        for _ in 0..<8 {
            usleep(200_000)
            connection.send("x-slow: 1\r\n")
        }
        let response = try connection.readResponse()
        #expect(response.status == 408)
        #expect(connection.isClosedByPeer())
    }

    @Test("an idle keep-alive connection is closed after idleTimeout, a busy one is not")
    func idleConnection() throws {
        let agent = try RunningAgent(config: Self.config)
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        for _ in 0..<3 {
            connection.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try connection.readResponse().status == 200)
            usleep(500_000)
        }
        #expect(connection.isClosedByPeer(), "closed once idle for 1.5s")
    }

    /// `uservice_http_connections{listener="data"}` as `/metrics` says it now.
    private static func openDataConnections(_ agent: RunningAgent) throws -> Double? {
        let scrape = try HTTPTestClient.request(port: agent.healthPort, path: "/metrics")
        return try PrometheusText(scrape.body).values("uservice_http_connections", ["listener": "data"]).first
    }

    @Test("after a 408 the connection lingers at most a second, also when the client never closes")
    func lateRequestIsClosedAfterItsLinger() throws {
        let agent = try RunningAgent(config: Self.config)
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        connection.send("G")
        #expect(try connection.readResponse().status == 408)
        // The client keeps its side open and sends nothing more: the agent's side must close
        // after the linger, not wait for the client's FIN.
        var open = try Self.openDataConnections(agent)
        for _ in 0..<40 where open != 0 {
            usleep(100_000)
            open = try Self.openDataConnections(agent)
        }
        #expect(open == 0, "the refused connection still holds its slot")
        withExtendedLifetime(connection) {}
    }

    @Test("a connection that has sent nothing holds no connection slot; its first bytes admit it")
    func deferredAccept() throws {
        let agent = try RunningAgent(config: Self.config)
        func openDataConnections() throws -> Double? { try Self.openDataConnections(agent) }
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        usleep(300_000)  // the kernel would hand a silent connection over after about a second
        #expect(try openDataConnections() == 0, "connected, and not accepted before its first byte")
        connection.send("GET / HTTP/1.1\r\n")
        var admitted = false
        for _ in 0..<40 where !admitted {
            admitted = try openDataConnections() == 1
            if !admitted { usleep(50_000) }
        }
        #expect(admitted, "accepted once its first bytes arrived")
    }

    @Test("Expect: 100-continue gets an interim answer before the body is sent")
    func expectContinue() throws {
        let agent = try RunningAgent(config: Self.config)
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        connection.send("POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n")
        let interim = String(decoding: connection.receive { $0.count >= 25 }, as: UTF8.self)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"))
        connection.send("hello")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == "hello")
    }

    @Test("pipelined requests are answered in order, a slow one first; an answer to HEAD has no body")
    func pipelined() throws {
        let agent = try RunningAgent(config: Self.config)
        let connection = try HTTPTestClient.Connection(port: agent.dataPort)
        connection.send(
            "GET /work?ms=300 HTTP/1.1\r\nhost: x\r\n\r\nHEAD / HTTP/1.1\r\nhost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        let text = String(
            decoding: connection.receive { String(decoding: $0, as: UTF8.self).hasSuffix("abc") }, as: UTF8.self)
        let responses = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
        #expect(responses.map { $0.prefix(3) } == ["200", "405", "200"], "\(text)")
        #expect(responses.first?.hasSuffix("{\"workedMs\":300}") == true)
        #expect(responses.dropFirst().first?.hasSuffix("content-length: 30\r\n\r\n") == true, "no body after HEAD")
        connection.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200, "the connection stays open")
    }

    @Test("random bytes on many connections never take the agent down")
    func randomInput() throws {
        let agent = try RunningAgent(config: Self.config)
        var generator = SplitMix64(seed: 7979)
        let fragments = [
            "GET ", "POST ", "/echo", " HTTP/1.1\r\n", "content-length: ", "transfer-encoding: chunked\r\n", "\r\n",
            "\u{0}", "%", "ffff\r\n",
        ]
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(generator.next() % 12) {
                if generator.next() % 2 == 0 {
                    bytes += Array(fragments[Int(generator.next() % UInt64(fragments.count))].utf8)
                } else {
                    bytes += (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                }
            }
            let connection = try HTTPTestClient.Connection(port: agent.dataPort, timeout: 0.2)
            connection.send(bytes)
            _ = connection.receive()
        }
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/").status == 200)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200)
        #expect(agent.process.isRunning)
    }
}

/// A small deterministic random number generator, so a failing input can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
