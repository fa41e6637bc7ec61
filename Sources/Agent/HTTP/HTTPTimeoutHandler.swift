import NIOCore

/// Closes connections that are idle too long, and answers 408 to clients that take too long
/// to send a request (slowloris), at the front of the pipeline where it sees raw bytes.
///
/// States: *idle* (waiting for a request, `idleTimeout` armed), *reading* (bytes of a request
/// arrived, `requestTimeout` armed until the whole request is in), *processing* (no timer:
/// the server's own work is not the client's fault).
final class HTTPTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case reading
        case processing(moreBytesArrived: Bool)
    }

    private let requestTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state = State.idle
    private var timer: Scheduled<Void>?

    init(requestTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.arm(self.idleTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.arm(self.idleTimeout, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .idle:
            self.state = .reading
            self.arm(self.requestTimeout, context: context)
        case .processing:
            self.state = .processing(moreBytesArrived: true)
        case .reading:
            break
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? HTTPConnectionEvent else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        switch (event, self.state) {
        case (.requestReceived, _):
            self.state = .processing(moreBytesArrived: false)
            self.timer?.cancel()
        case (.responseSent, .processing(let moreBytesArrived)):
            self.state = moreBytesArrived ? .reading : .idle
            self.arm(moreBytesArrived ? self.requestTimeout : self.idleTimeout, context: context)
        case (.responseSent, _):
            break
        }
        promise?.succeed()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        self.timer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.timedOut(context: context)
        }
    }

    private func timedOut(context: ChannelHandlerContext) {
        switch self.state {
        case .reading:
            let response = "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: response))).assumeIsolated().whenComplete {
                _ in context.close(promise: nil)
            }
        case .idle:
            context.close(promise: nil)
        case .processing:
            break
        }
    }
}
