import NIOCore
import NIOHTTP1

/// Collects each request (head and body, within the limits), hands it to the responder and
/// writes the response, keeping the connection alive unless the client, the limits or a
/// drain say otherwise. Records metrics and, on the data port, the access log.
final class HTTPServerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the handler needs from its listener.
    struct Context: Sendable {
        var responder: any HTTPResponder
        var metrics: HTTPMetrics
        var connections: ConnectionRegistry
        var accessLog: AccessLog?
        /// True while responses should carry `Connection: close` (the data port while draining).
        var closeAfterResponse: @Sendable () -> Bool
    }

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        /// A request was refused early (413); its remaining parts are dropped.
        case discarding
        case responding
    }

    private let listener: Context
    private let activity: ConnectionActivity
    private let maxBodyBytes: Int
    private var state = State.idle

    init(listener: Context, activity: ConnectionActivity, maxBodyBytes: Int) {
        self.listener = listener
        self.activity = activity
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (self.unwrapInboundIn(data), self.state) {
        case (.head(let head), .idle):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > self.maxBodyBytes {
                return self.refuseTooLarge(head, context: context)
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(self.wrapOutboundOut(.head(interim)), promise: nil)
            }
            self.state = .receiving(head, context.channel.allocator.buffer(capacity: 0))
        case (.body(var chunk), .receiving(let head, var body)):
            guard body.readableBytes + chunk.readableBytes <= self.maxBodyBytes else {
                return self.refuseTooLarge(head, context: context)
            }
            self.state = .responding  // drop the reference so the append does not copy
            body.writeBuffer(&chunk)
            self.state = .receiving(head, body)
        case (.end, .receiving(let head, let body)):
            self.state = .responding
            self.activity.requestReceived()
            self.respond(to: HTTPRequest(head: head, body: body, remote: context.channel.remoteAddress), context: context)
        case (.end, .discarding):
            self.state = .idle
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // HTTPServerProtocolErrorHandler has answered 400 for malformed requests.
        context.close(promise: nil)
    }

    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.state = .discarding
        self.activity.requestReceived()
        let request = HTTPRequest(head: head, remote: context.channel.remoteAddress)
        let message = "request body is larger than \(self.maxBodyBytes) bytes"
        self.requestStarted()
        self.write(.error(.payloadTooLarge, message, route: "limit"), for: request, keepAlive: false, startedAt: .now(), context: context)
    }

    private func requestStarted() {
        self.listener.connections.requestStarted()
        self.listener.metrics.requestStarted()
    }

    private func respond(to request: HTTPRequest, context: ChannelHandlerContext) {
        let startedAt = NIODeadline.now()
        self.requestStarted()
        switch self.listener.responder.respond(to: request, on: context.eventLoop) {
        case .now(let response):
            self.finish(request, with: response, startedAt: startedAt, context: context)
        case .later(let future):
            let target = NIOLoopBound(HandlerTarget(handler: self, context: context), eventLoop: context.eventLoop)
            future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                let response: HTTPResponse
                switch result {
                case .success(let answer): response = answer
                case .failure(let error): response = .error(.internalServerError, "\(error)", route: "error")
                }
                target.value.handler.finish(request, with: response, startedAt: startedAt, context: target.value.context)
            }
        }
    }

    private func finish(_ request: HTTPRequest, with response: HTTPResponse, startedAt: NIODeadline, context: ChannelHandlerContext) {
        let keepAlive = request.head.isKeepAlive && !self.listener.closeAfterResponse()
        self.write(response, for: request, keepAlive: keepAlive, startedAt: startedAt, context: context)
    }

    private func write(
        _ response: HTTPResponse,
        for request: HTTPRequest,
        keepAlive: Bool,
        startedAt: NIODeadline,
        context: ChannelHandlerContext
    ) {
        // Account for the request before its answer leaves, so whoever reads the answer and
        // then scrapes /metrics sees it counted.
        let nanoseconds = (NIODeadline.now() - startedAt).nanoseconds
        self.listener.connections.requestFinished()
        self.listener.metrics.requestFinished(
            method: request.method, route: response.route, status: response.status, nanoseconds: nanoseconds)
        self.listener.accessLog?.record(
            request, status: response.status.code, bytes: response.body.readableBytes, nanoseconds: nanoseconds)

        var head = HTTPResponseHead(version: request.head.version, status: response.status, headers: response.headers)
        head.headers.add(name: "content-length", value: String(response.body.readableBytes))
        if !keepAlive { head.headers.add(name: "connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 && request.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let target = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                target.value.close(promise: nil)
            }
        }

        if case .responding = self.state { self.state = .idle }
        self.activity.responseSent()
    }
}

/// The handler and its context, carried into a future's callback as one non-generic value.
private struct HandlerTarget {
    let handler: HTTPServerHandler
    let context: ChannelHandlerContext
}
