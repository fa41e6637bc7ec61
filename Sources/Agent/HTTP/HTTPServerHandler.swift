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
    private let maxBodyBytes: Int
    private var state = State.idle

    init(listener: Context, maxBodyBytes: Int) {
        self.listener = listener
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
            context.triggerUserOutboundEvent(HTTPConnectionEvent.requestReceived, promise: nil)
            self.respond(to: head, body: body, context: context)
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
        let request = HTTPRequest(head: head, remoteAddress: Self.remoteAddress(context))
        let response = HTTPResponse.error(.payloadTooLarge, "request body is larger than \(self.maxBodyBytes) bytes", route: "limit")
        self.listener.connections.requestStarted()
        self.listener.metrics.requestStarted()
        self.write(response, for: request, keepAlive: false, startedAt: .now(), context: context)
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let startedAt = NIODeadline.now()
        let request = HTTPRequest(head: head, body: body, remoteAddress: Self.remoteAddress(context))
        self.listener.connections.requestStarted()
        self.listener.metrics.requestStarted()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.listener.responder.respond(to: request, on: context.eventLoop)
            .hop(to: context.eventLoop)
            .assumeIsolated()
            .whenComplete { result in
                let (handler, context) = loopBound.value
                let response: HTTPResponse
                switch result {
                case .success(let answer): response = answer
                case .failure(let error): response = .error(.internalServerError, "\(error)", route: "error")
                }
                let keepAlive = head.isKeepAlive && !handler.listener.closeAfterResponse()
                handler.write(response, for: request, keepAlive: keepAlive, startedAt: startedAt, context: context)
            }
    }

    private func write(
        _ response: HTTPResponse,
        for request: HTTPRequest,
        keepAlive: Bool,
        startedAt: NIODeadline,
        context: ChannelHandlerContext
    ) {
        var head = HTTPResponseHead(version: request.head.version, status: response.status, headers: response.headers)
        head.headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let written = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))

        let nanoseconds = (NIODeadline.now() - startedAt).nanoseconds
        self.listener.connections.requestFinished()
        self.listener.metrics.requestFinished(
            method: request.method, route: response.route, status: response.status, nanoseconds: nanoseconds)
        self.listener.accessLog?.record(
            request, status: response.status.code, bytes: response.body.readableBytes, nanoseconds: nanoseconds)

        if case .responding = self.state { self.state = .idle }
        context.triggerUserOutboundEvent(HTTPConnectionEvent.responseSent, promise: nil)
        if !keepAlive {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.assumeIsolated().whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        }
    }

    private static func remoteAddress(_ context: ChannelHandlerContext) -> String {
        guard let address = context.channel.remoteAddress else { return "" }
        switch address {
        case .v4, .v6: return "\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .unixDomainSocket: return "unix"
        }
    }
}
