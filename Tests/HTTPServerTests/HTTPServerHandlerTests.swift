import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPServer

/// The connection handler in-process, on an `EmbeddedChannel` whose clock, writability and
/// reads the tests control: pipelining order, backpressure, 100-continue, deadlines, quiescing.
@Suite("HTTP/1.1 connection handler")
struct HTTPServerHandlerTests {
    @Test func pipelinedRequestsAreAnsweredInOrderAndReadsWaitForASlowAnswer() throws {
        let slow = NIOLockedValueBox<EventLoopPromise<HTTPResponse>?>(nil)
        let connection = try TestConnection { request, eventLoop in
            guard request.path == "/slow" else { return .now(.text(.ok, String(request.path), route: "/")) }
            let promise = eventLoop.makePromise(of: HTTPResponse.self)
            slow.withLockedValue { $0 = promise }
            return .later(promise.futureResult)
        }
        try connection.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try connection.received() == "")
        #expect(connection.readsPassed { connection.channel.read() } == 0)

        slow.withLockedValue { $0 }!.succeed(.text(.ok, "first", route: "/slow"))
        connection.channel.embeddedEventLoop.run()
        let answers = try connection.received()
        #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(try #require(answers.range(of: "first")).lowerBound < #require(answers.range(of: "/second")).lowerBound)
        #expect(connection.readsPassed { connection.channel.read() } == 1)
    }

    @Test func aPeerThatDoesNotReadStopsBeingServedAndRead() throws {
        let channelBox = NIOLockedValueBox<EmbeddedChannel?>(nil)
        let connection = try TestConnection { request, _ in
            // The second answer fills the write buffer, as a peer that never reads makes it.
            if request.path == "/2" { channelBox.withLockedValue { $0 }!.isWritable = false }
            return .now(.text(.ok, String(request.path), route: "/"))
        }
        channelBox.withLockedValue { $0 = connection.channel }
        try connection.send((1...4).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
        let first = try connection.received()
        #expect(first.contains("\r\n\r\n/1") && first.contains("\r\n\r\n/2") && !first.contains("/3"))
        #expect(connection.readsPassed { connection.channel.read() } == 0)

        connection.channel.isWritable = true
        connection.channel.pipeline.fireChannelWritabilityChanged()
        connection.channel.embeddedEventLoop.run()
        let rest = try connection.received()
        #expect(rest.contains("\r\n\r\n/3") && rest.contains("\r\n\r\n/4"))
        #expect(connection.readsPassed { connection.channel.read() } == 1)
    }

    @Test func aBurstOfPipelinedRequestsIsAnsweredInTurns() throws {
        let connection = try TestConnection.echo()
        try connection.send(String(repeating: "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", count: 40))
        let answers = { (text: String) in text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 }
        #expect(answers(try connection.received()) == 16)
        #expect(connection.readsPassed { connection.channel.read() } == 0, "no more reading before the rest is served")
        connection.channel.embeddedEventLoop.run()
        #expect(try connection.received() == "", "the rest waits for the loop's next turn at I/O")
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(answers(try connection.received()) == 16)
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(answers(try connection.received()) == 8)
        #expect(connection.readsPassed { connection.channel.read() } == 1)
    }

    @Test func continueIsSentOnlyToHTTP11ClientsThatAskForIt() throws {
        let connection = try TestConnection.echo()
        try connection.send("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(try connection.received() == "HTTP/1.1 100 Continue\r\n\r\n")
        try connection.send("okPOST /e HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(try connection.received().hasSuffix("\r\n\r\nok"))
        try connection.send("no")
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.hasSuffix("connection: close\r\n\r\nno"))
    }

    @Test func aKeptAliveHTTP10ConnectionIsToldSo() throws {
        let connection = try TestConnection.echo()
        try connection.send("POST /e HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx")
        #expect(try connection.received().contains("connection: keep-alive\r\n\r\nx"))
        #expect(connection.channel.isActive)
    }

    @Test func aRequestStartedButNotFinishedInTimeGets408ThenCloses() throws {
        let config = HTTPServerLimits(maxHeadBytes: 4096, requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        let connection = try TestConnection.answeringOK(config: config)
        try connection.send("GET / HTTP/1.1\r\nHost:")
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(try connection.received() == "")
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") && answer.contains("connection: close"))
        // It lingers (an EmbeddedChannel closes whole where a socket closes its output only),
        // and closes within a second whatever the client does.
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!connection.channel.isActive)
    }

    @Test func aConnectionThatSendsNothingClosesAfterTheRequestTimeout() throws {
        let config = HTTPServerLimits(requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        let connection = try TestConnection.answeringOK(config: config)
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(connection.channel.isActive)
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!connection.channel.isActive)
        #expect(try connection.received() == "", "nothing was asked, nothing is answered")
    }

    @Test func theConnectionsOfAnEventLoopShareOneDeadlineTimer() throws {
        let loop = EmbeddedEventLoop()
        let deadlines = DeadlineTimer(eventLoop: loop)
        let config = HTTPServerLimits(requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        func connect() throws -> TestConnection {
            try TestConnection.answeringOK(config: config, loop: loop, deadlines: deadlines)
        }
        let first = try connect()
        loop.advanceTime(by: .seconds(1))
        let (answered, silent) = (try connect(), try connect())
        try answered.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try answered.received().hasPrefix("HTTP/1.1 200 OK"))
        #expect(deadlines.count == 3)
        // Closing the first frees its slot, which the last one added moves into.
        try first.channel.close().wait()
        #expect(deadlines.count == 2)
        loop.advanceTime(by: .milliseconds(1999))
        #expect(silent.channel.isActive)
        loop.advanceTime(by: .milliseconds(1))
        #expect(!silent.channel.isActive, "its request timeout, 2 s after it opened, from the slot it moved to")
        loop.advanceTime(by: .seconds(57))
        #expect(answered.channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!answered.channel.isActive, "its idle timeout, 60 s after its answer")
        #expect(deadlines.count == 0)
    }

    @Test func connectionsDueInTheSameRunAreAllChecked() throws {
        let loop = EmbeddedEventLoop()
        let deadlines = DeadlineTimer(eventLoop: loop)
        let config = HTTPServerLimits(requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        let connections = try (0..<3).map { _ in
            try TestConnection.answeringOK(config: config, loop: loop, deadlines: deadlines)
        }
        loop.advanceTime(by: .seconds(2))
        // The first one's close, inside the run, moves the last one into its slot.
        #expect(connections.allSatisfy { !$0.channel.isActive })
        #expect(deadlines.count == 0)
    }

    @Test func theNextRequestOfAKeptAliveConnectionHasTheRequestTimeoutFromItsFirstByte() throws {
        let config = HTTPServerLimits(requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        let connection = try TestConnection.answeringOK(config: config)
        try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try connection.received().hasPrefix("HTTP/1.1 200 OK"))
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        try connection.send("GET / HTTP/1.1\r\nHo")
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(try connection.received() == "")
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try connection.received().hasPrefix("HTTP/1.1 408 Request Timeout"), "not at the idle deadline")
    }

    @Test func aPipelinedRequestHasTheRequestTimeoutFromItsHead() throws {
        let config = HTTPServerLimits(requestTimeout: .seconds(2), idleTimeout: .seconds(60))
        let connection = try TestConnection(config: config) { request, _ in
            .now(HTTPResponse(status: .ok, body: request.body, route: "/"))
        }
        try connection.send(
            "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab")
        #expect(try connection.received().hasPrefix("HTTP/1.1 200 OK"))
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(try connection.received().hasPrefix("HTTP/1.1 408 Request Timeout"))
    }

    @Test func aTooLargeBodyAnnouncedByHEADIsRefusedWithoutABody() throws {
        let config = HTTPServerLimits(maxBodyBytes: 4)
        let connection = try TestConnection.answeringOK(config: config)
        try connection.send("HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 413 ") && answer.hasSuffix("\r\n\r\n"), "\(answer)")
    }

    @Test func anIdleConnectionClosesAfterItsTimeoutButNotWhileAnswering() throws {
        let connection = try TestConnection(config: HTTPServerLimits(idleTimeout: .seconds(5))) { _, loop in
            .later(loop.scheduleTask(in: .seconds(30)) { .text(.ok, "late", route: "/") }.futureResult)
        }
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(connection.channel.isActive)
        connection.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try connection.received().hasSuffix("late"))
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(4999))
        #expect(connection.channel.isActive)
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!connection.channel.isActive)
    }

    @Test func quiescingClosesAnIdleConnectionAndEndsABusyOneAfterItsAnswer() throws {
        let idle = try TestConnection.echo()
        idle.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!idle.channel.isActive)

        let busy = try TestConnection.echo()
        try busy.send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nha")
        busy.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(busy.channel.isActive)
        try busy.send("lf")
        let answer = try busy.received()
        #expect(answer.contains("connection: close\r\n\r\nhalf"))
        #expect(!busy.channel.isActive)
    }
}

/// One `HTTPServerHandler` on an `EmbeddedChannel`, behind a handler that counts the reads it
/// lets through to the socket.
private struct TestConnection {
    let channel: EmbeddedChannel
    private let reads: ReadCounter

    /// - Parameters:
    ///   - loop, deadlines: the event loop and its deadline timer, for connections that share them.
    init(
        config: HTTPServerLimits = HTTPServerLimits(),
        remote: SocketAddress? = try? SocketAddress(ipAddress: "10.1.2.3", port: 40000),
        loop: EmbeddedEventLoop = EmbeddedEventLoop(),
        deadlines: DeadlineTimer? = nil,
        respond: @escaping @Sendable (HTTPRequest, any EventLoop) -> HTTPAnswer
    ) throws {
        self.channel = EmbeddedChannel(loop: loop)
        self.reads = ReadCounter()
        self.channel.remoteAddress = remote
        let context = HTTPServerHandler.Context(
            responder: ClosureResponder(respond: respond), metrics: HTTPMetrics(),
            connections: ConnectionRegistry(listener: "test"), requestLog: nil, closeAfterResponse: { false })
        try self.channel.pipeline.syncOperations.addHandler(self.reads)
        try self.channel.pipeline.syncOperations.addHandler(
            HTTPServerHandler(
                listener: context, limits: config, deadlines: deadlines ?? DeadlineTimer(eventLoop: loop),
                now: self.channel.eventLoop.now))
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    /// Answers every request 200 with an empty body.
    static func answeringOK(
        config: HTTPServerLimits, loop: EmbeddedEventLoop = EmbeddedEventLoop(), deadlines: DeadlineTimer? = nil
    ) throws -> TestConnection {
        try TestConnection(config: config, loop: loop, deadlines: deadlines) { _, _ in .now(.text(.ok, "", route: "/"))
        }
    }

    /// Echoes request bodies.
    static func echo() throws -> TestConnection {
        try TestConnection { request, _ in .now(HTTPResponse(status: .ok, body: request.body, route: "/e")) }
    }

    func send(_ text: String) throws {
        try self.channel.writeInbound(ByteBuffer(string: text))
        self.channel.pipeline.fireChannelReadComplete()
    }

    /// Everything written to the peer since the last call.
    func received() throws -> String {
        var text = ""
        while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    /// How many reads reach the socket while `body` runs.
    func readsPassed(_ body: () -> Void) -> Int {
        let before = self.reads.count
        body()
        return self.reads.count - before
    }
}

private struct ClosureResponder: HTTPResponder {
    let respond: @Sendable (HTTPRequest, any EventLoop) -> HTTPAnswer

    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        self.respond(request, eventLoop)
    }
}

private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        self.count += 1
        context.read()
    }
}
