internal import NIOCore
internal import NIOHTTP1

/// Serves HTTP/1.1 on one connection: parses requests from its bytes (``HTTPRequestParser``),
/// collects each body within the limits, hands the whole request to the responder and writes
/// the response, keeping the connection alive unless the client, the limits or a drain say
/// otherwise. Records metrics and, on the data port, the access log.
///
/// What one connection may hold is bounded. Pipelined requests are answered in order, one at a
/// time, and reading from the socket pauses while an answer is pending or while the channel is
/// not writable (the peer does not read what it asked for), so a client that sends without
/// reading holds at most one read cycle of requests and one write buffer of answers. A burst
/// of pipelined requests is answered ``requestsPerTurn`` at a time, so it cannot keep the event
/// loop from the other connections it serves.
///
/// Deadlines: `requestTimeout` for a new connection's first byte, `idleTimeout` while a kept-alive
/// connection waits for its next request, `requestTimeout` from a request's first byte until
/// all of it is in (408 after, against slowloris), none while the responder works (responders
/// bound their own time), and `idleTimeout` for a last answer to leave. The event loop's
/// ``DeadlineTimer`` checks them lazily, so a connection or a request usually costs no timer
/// operation.
final class HTTPServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the handler needs from its listener.
    struct Context: Sendable {
        var responder: any HTTPResponder
        var metrics: HTTPMetrics
        var connections: ConnectionRegistry
        var requestLog: (any HTTPRequestLog)?
        /// True while responses should carry `Connection: close` (the data port while draining).
        var closeAfterResponse: @Sendable () -> Bool
    }

    private enum State {
        /// Waiting for the head of a request.
        case idle
        /// The head is in (and whether the client lets the connection stay open); the body so
        /// far (nil before its first byte).
        case receiving(HTTPRequestHead, keepAlive: Bool, ByteBuffer?)
        /// The responder is working on a whole request.
        case responding
        /// The last response is on its way and the connection closes after it; input is dropped.
        case closing(AfterResponse)
    }

    private let listener: Context
    private let limits: HTTPServerLimits
    private var parser: HTTPRequestParser
    private var state = State.idle
    private var activity: ConnectionActivity
    /// Bytes received and not parsed yet (the rest of a request, or pipelined ones).
    private var unparsed: ByteBuffer?
    /// A drain asked the connection to close after the current request.
    private var quiescing = false
    /// The channel asked to read while reading was paused; it reads once serving resumes.
    private var readWithheld = false
    private var flushPending = false
    /// Requests started since the connection's turn began (``requestsPerTurn``).
    private var startedThisTurn = 0
    /// Pipelined requests wait for the connection's next turn.
    private var turnPending = false
    /// True inside ``serveUnparsed(context:)``, so an answer completed synchronously does not
    /// serve the next request from within the current one.
    private var serving = false
    private var remote: SocketAddress?
    private var lastSeries: HTTPMetrics.LastSeries?
    /// Checks the connection's deadlines, with those of the event loop's other connections.
    private let deadlines: DeadlineTimer
    /// The connection's slot in ``deadlines`` while it is open (the timer updates it).
    var deadlineSlot: Int?

    init(listener: Context, limits: HTTPServerLimits, deadlines: DeadlineTimer, now: NIODeadline) {
        self.listener = listener
        self.limits = limits
        self.deadlines = deadlines
        self.parser = HTTPRequestParser(maxHeadBytes: limits.maxHeadBytes)
        self.activity = ConnectionActivity(now: now)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.remote = context.channel.remoteAddress
        let firstCheck = context.eventLoop.now + min(self.limits.requestTimeout, self.limits.idleTimeout)
        self.deadlineSlot = self.deadlines.add(self, context: context, checkAt: firstCheck)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.leaveDeadlineTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .closing = self.state { return }
        if self.activity.bytesArrived(now: context.eventLoop.now) { self.requestTimeoutStarted() }
        let bytes = self.unwrapInboundIn(data)
        if self.unparsed == nil || self.unparsed!.readableBytes == 0 {
            self.unparsed = bytes
        } else {
            self.unparsed!.discardReadBytes()
            self.unparsed!.writeImmutableBuffer(bytes)
        }
        self.serveUnparsed(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.startedThisTurn = 0
        self.flushIfPending(context: context)
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if self.readingPaused(context: context) {
            self.readWithheld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The change may be reported from inside a flush of this handler: resume on the next
        // turn of the loop rather than serving more from within it.
        if context.channel.isWritable {
            let target = NIOLoopBound(HandlerTarget(handler: self, context: context), eventLoop: context.eventLoop)
            context.eventLoop.assumeIsolated().execute { target.value.handler.resume(context: target.value.context) }
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        self.quiescing = true
        if case .idle = self.state, (self.unparsed?.readableBytes ?? 0) == 0 {
            // Once the answers still on their way have left (closing now would drop them).
            self.close(after: ByteBuffer(), then: .close, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.leaveDeadlineTimer()
        context.fireChannelInactive()
    }

    /// True while the socket should not be read: an answer is pending, or the peer is not
    /// reading the answers it has (the channel is not writable). A closing connection goes on
    /// reading, to drop what the client still sends (see ``AfterResponse/linger``).
    private func readingPaused(context: ChannelHandlerContext) -> Bool {
        switch self.state {
        case .responding: true
        case .idle, .receiving: self.turnPending || !context.channel.isWritable
        case .closing: false
        }
    }

    /// Serves what arrived while serving was paused, and reads again if that was withheld.
    private func resume(context: ChannelHandlerContext) {
        self.serveUnparsed(context: context)
        self.flushIfPending(context: context)
        if self.readWithheld, !self.readingPaused(context: context) {
            self.readWithheld = false
            context.read()
        }
    }

    /// Requests a connection may have answered in one go before it lets the event loop serve
    /// its other connections: a burst of pipelined requests is taken in turns.
    private static let requestsPerTurn = 16

    /// Parses and serves what has arrived, until a request is incomplete, a response pending,
    /// the channel not writable, or the connection's turn over.
    private func serveUnparsed(context: ChannelHandlerContext) {
        guard !self.serving else { return }
        self.serving = true
        defer { self.serving = false }
        while self.unparsed != nil {
            switch self.state {
            case .responding, .closing: return
            case .idle:
                guard context.channel.isWritable else { return }
                guard self.startedThisTurn < Self.requestsPerTurn else {
                    return self.continueNextTurn(context: context)
                }
            case .receiving: break
            }
            let part: HTTPRequestParser.Part
            do {
                guard let next = try self.parser.next(from: &self.unparsed!) else { break }
                part = next
            } catch {
                return self.refuse(error, context: context)
            }
            self.handle(part, context: context)
        }
        if self.unparsed?.readableBytes == 0 { self.unparsed = nil }  // lets the channel reuse its read buffer
    }

    /// Serves the rest after the event loop has had a turn at its other connections' I/O;
    /// reading waits until then (``readingPaused(context:)``). A task the loop runs at once
    /// would come before that I/O, so the rest waits for a timer, a millisecond on.
    private func continueNextTurn(context: ChannelHandlerContext) {
        guard !self.turnPending else { return }
        self.turnPending = true
        self.flushIfPending(context: context)
        let target = NIOLoopBound(HandlerTarget(handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(1)) {
            let handler = target.value.handler
            handler.turnPending = false
            handler.startedThisTurn = 0
            handler.resume(context: target.value.context)
        }
    }

    private func handle(_ part: HTTPRequestParser.Part, context: ChannelHandlerContext) {
        // One switch per value (not over a tuple of both): the tuple would copy the request head.
        switch part {
        case .head(let head, let framing, let keepAlive):
            guard case .idle = self.state else { return self.unexpected(part) }
            if case .length(let length) = framing, length > self.limits.maxBodyBytes {
                return self.refuseTooLarge(head, context: context)
            }
            self.startedThisTurn += 1
            if self.activity.requestStarted(now: context.eventLoop.now) { self.requestTimeoutStarted() }
            // Only an HTTP/1.1 client knows to wait for it (RFC 9110, 10.1.1).
            if framing != .none, head.version == .http1_1, self.unparsed?.readableBytes == 0,
                head.headers.first(name: "expect")?.lowercased() == "100-continue"
            {
                context.writeAndFlush(
                    self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            }
            self.state = .receiving(head, keepAlive: keepAlive, nil)
        case .body(let chunk):
            guard case .receiving(let head, let keepAlive, let body) = self.state else {
                return self.unexpected(part)
            }
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= self.limits.maxBodyBytes else {
                return self.refuseTooLarge(head, context: context)
            }
            guard var body else {
                self.state = .receiving(head, keepAlive: keepAlive, chunk)
                return
            }
            self.state = .responding  // drop the state's reference so the append does not copy
            body.writeImmutableBuffer(chunk)
            self.state = .receiving(head, keepAlive: keepAlive, body)
        case .end:
            guard case .receiving(let head, let keepAlive, let body) = self.state else {
                return self.unexpected(part)
            }
            self.state = .responding
            self.activity.requestReceived(now: context.eventLoop.now)
            let request = HTTPRequest(head: head, body: body ?? ByteBuffer(), remote: self.remote)
            self.respond(to: request, keepAlive: keepAlive, context: context)
        }
    }

    private func unexpected(_ part: HTTPRequestParser.Part) {
        assertionFailure("the parser returned \(part) in state \(self.state)")
    }

    /// Answers `request`; `keepAlive` when its client lets the connection stay open.
    private func respond(to request: HTTPRequest, keepAlive: Bool, context: ChannelHandlerContext) {
        let startedAt = NIODeadline.now()
        self.requestStarted()
        switch self.listener.responder.respond(to: request, on: context.eventLoop) {
        case .now(let response):
            self.finish(request, with: response, keepAlive: keepAlive, startedAt: startedAt, context: context)
        case .later(let future):
            let target = NIOLoopBound(HandlerTarget(handler: self, context: context), eventLoop: context.eventLoop)
            future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                let response: HTTPResponse
                switch result {
                case .success(let answer): response = answer
                case .failure(let error): response = .error(.internalServerError, "\(error)", route: "error")
                }
                let (handler, context) = (target.value.handler, target.value.context)
                handler.finish(request, with: response, keepAlive: keepAlive, startedAt: startedAt, context: context)
                // Completed at once (a refusal), it is still inside the loop that goes on serving.
                if !handler.serving { handler.resume(context: context) }
            }
        }
    }

    private func finish(
        _ request: HTTPRequest,
        with response: HTTPResponse,
        keepAlive clientKeepsAlive: Bool,
        startedAt: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let keepAlive = clientKeepsAlive && !self.quiescing && !self.listener.closeAfterResponse()
        self.record(response, for: request, startedAt: startedAt, context: context)
        self.send(
            response, version: request.head.version, then: keepAlive ? .keepAlive : .close,
            includingBody: request.method != .HEAD, context: context)
    }

    private func requestStarted() {
        self.listener.connections.requestStarted()
        self.listener.metrics.requestStarted()
    }

    /// Accounts for the request before its answer leaves, so whoever reads the answer and then
    /// scrapes /metrics sees it counted.
    private func record(
        _ response: HTTPResponse,
        for request: HTTPRequest,
        startedAt: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let nanoseconds = (NIODeadline.now() - startedAt).nanoseconds
        self.listener.connections.requestFinished()
        self.listener.metrics.requestFinished(
            method: request.method, route: response.route, status: response.status, nanoseconds: nanoseconds,
            last: &self.lastSeries)
        self.listener.requestLog?.record(
            request, status: response.status.code, bytes: response.body.readableBytes, nanoseconds: nanoseconds)
        self.activity.responseSent(now: context.eventLoop.now)
    }

    /// Answers 413 to a request whose body is over the limit, and closes.
    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.activity.requestReceived(now: context.eventLoop.now)
        self.requestStarted()
        let request = HTTPRequest(head: head, remote: self.remote)
        let response = HTTPResponse.error(
            .payloadTooLarge, "request body is larger than \(self.limits.maxBodyBytes) bytes", route: "limit")
        self.record(response, for: request, startedAt: .now(), context: context)
        self.send(response, version: head.version, then: .linger, includingBody: head.method != .HEAD, context: context)
    }

    /// Answers a request that cannot be parsed (400, or 501 for an unsupported transfer
    /// coding) or that came too slowly (408), and closes. It is counted and logged like any
    /// request, as method `-` and path `-` (its head may be unreadable).
    private func refuse(_ error: HTTPRequestError, context: ChannelHandlerContext) {
        let response = HTTPResponse.error(error.status, error.reason, route: "malformed")
        self.requestStarted()
        self.record(response, for: Self.unreadableRequest(from: self.remote), startedAt: .now(), context: context)
        self.send(response, version: .http1_1, then: .linger, includingBody: true, context: context)
    }

    private static func unreadableRequest(from remote: SocketAddress?) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-"), remote: remote)
    }

    /// What happens to the connection once a response is written.
    private enum AfterResponse {
        case keepAlive
        case close
        /// After a refusal the client may still be sending (the rest of a large body, say).
        /// Closing at once would make the kernel answer those bytes with a reset, which can
        /// destroy the refusal before the client reads it; so close in stages (RFC 9112, 9.6):
        /// stop writing once the answer is out, drop what still arrives, and close when the
        /// client does, or after ``HTTPServerHandler/lingerTime``.
        case linger
    }

    /// How long a refused client may go on sending before the connection closes.
    private static let lingerTime = TimeAmount.seconds(1)

    private func send(
        _ response: HTTPResponse,
        version: HTTPVersion,
        then next: AfterResponse,
        includingBody: Bool,
        context: ChannelHandlerContext
    ) {
        let (head, body) = response.wire(
            version: version, keepAlive: next == .keepAlive, includingBody: includingBody,
            allocator: context.channel.allocator)
        guard next != .keepAlive else {
            context.write(self.wrapOutboundOut(head), promise: nil)
            if let body { context.write(self.wrapOutboundOut(body), promise: nil) }
            self.flushPending = true
            self.state = .idle
            return
        }
        if body != nil { context.write(self.wrapOutboundOut(head), promise: nil) }
        // Bytes the client sent past its last request would make a close reset the connection,
        // which can destroy the answer before the client reads it: close in stages then.
        let unread = (self.unparsed?.readableBytes ?? 0) > 0
        self.close(after: body ?? head, then: unread ? .linger : next, context: context)
    }

    /// Writes `last` and closes the connection when it has left: all of it, or only the
    /// output for ``AfterResponse/linger``; at once when the kernel took it all, else within
    /// the closing deadline.
    private func close(after last: ByteBuffer, then next: AfterResponse, context: ChannelHandlerContext) {
        self.state = .closing(next)
        self.activity.closing(now: context.eventLoop.now)
        self.unparsed = nil
        context.writeAndFlush(self.wrapOutboundOut(last)).assumeIsolated().whenComplete { _ in
            context.close(mode: next == .linger ? .output : .all, promise: nil)
        }
        // Usually the kernel took the whole answer at once, and the connection closed with it.
        guard context.channel.isActive else { return }
        // The closing deadline needs a check: none is pending when the check itself answers a
        // late request (408), and a pending one may come later than the closing deadline (a
        // linger is shorter than the other deadlines). An earlier one sees the new phase and
        // sleeps on.
        self.checkDeadline(noLaterThan: context.eventLoop.now + (self.deadline(of: .closing) ?? Self.lingerTime))
        // Reading may have been paused: a lingering connection reads to drop what arrives.
        if self.readWithheld {
            self.readWithheld = false
            context.read()
        }
    }

    private func flushIfPending(context: ChannelHandlerContext) {
        guard self.flushPending else { return }
        self.flushPending = false
        context.flush()
    }

    /// How long the connection may stay in `phase`; nil when no deadline applies.
    private func deadline(of phase: ConnectionActivity.Phase) -> TimeAmount? {
        switch phase {
        case .opened, .reading: self.limits.requestTimeout
        case .idle: self.limits.idleTimeout
        case .processing: nil
        case .closing:
            if case .closing(.linger) = self.state { Self.lingerTime } else { self.limits.idleTimeout }
        }
    }

    /// Asks for the connection's next deadline check `delay` from now.
    private func scheduleDeadlineCheck(in delay: TimeAmount, context: ChannelHandlerContext) {
        guard let slot = self.deadlineSlot else { return }
        self.deadlines.check(slot, at: context.eventLoop.now + delay)
    }

    /// Brings the next deadline check forward to `deadline` if it comes later.
    private func checkDeadline(noLaterThan deadline: NIODeadline) {
        guard let slot = self.deadlineSlot, self.deadlines.checkTime(of: slot) > deadline else { return }
        self.deadlines.check(slot, at: deadline)
    }

    /// A request's first bytes came: on a kept-alive connection, the next check was set for
    /// the idle deadline, which may come long after the request timeout.
    private func requestTimeoutStarted() {
        self.checkDeadline(noLaterThan: self.activity.since + self.limits.requestTimeout)
    }

    private func leaveDeadlineTimer() {
        guard let slot = self.deadlineSlot else { return }
        self.deadlineSlot = nil
        self.deadlines.remove(slot)
    }

    /// Acts on an expired deadline, or sleeps until the next one: ``deadlines`` calls it when
    /// the check it asked for is due.
    func checkDeadline(context: ChannelHandlerContext) {
        // Not active yet, or no deadline in this phase (the responder is working): look again later.
        guard context.channel.isActive, let timeout = self.deadline(of: self.activity.phase) else {
            return self.scheduleDeadlineCheck(
                in: min(self.limits.requestTimeout, self.limits.idleTimeout), context: context)
        }
        let remaining = self.activity.since + timeout - context.eventLoop.now
        if remaining > .zero {
            return self.scheduleDeadlineCheck(in: max(remaining, .milliseconds(1)), context: context)
        }
        switch self.activity.phase {
        case .reading:
            let timeout = HTTPRequestError(
                status: .requestTimeout,
                reason: "request not received within \(self.limits.requestTimeout.nanoseconds / 1_000_000)ms")
            self.refuse(timeout, context: context)
        case .opened, .idle, .processing, .closing:
            context.close(promise: nil)
        }
    }
}

/// The handler and its context, carried into a callback as one non-generic value.
private struct HandlerTarget {
    let handler: HTTPServerHandler
    let context: ChannelHandlerContext
}
