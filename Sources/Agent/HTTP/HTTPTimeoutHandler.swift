import NIOCore
import NIOHTTP1

/// Closes connections that stay idle too long, and answers 408 to clients that take too long
/// to send a request (slowloris), at the front of the pipeline where it sees raw bytes.
///
/// The deadlines follow ``ConnectionActivity``: `idleTimeout` while waiting for a request,
/// `requestTimeout` from a request's first byte until all of it is in, none while the server
/// works. One timer per connection checks them lazily, so a request costs no timer operations.
final class HTTPTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let activity: ConnectionActivity
    private let requestTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(activity: ConnectionActivity, requestTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.activity = activity
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.schedule(in: min(self.requestTimeout, self.idleTimeout), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.activity.bytesArrived()
        context.fireChannelRead(data)
    }

    private func schedule(in delay: TimeAmount, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(TimerTarget(handler: self, context: context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: delay) {
            let target = loopBound.value
            target.handler.check(context: target.context)
        }
    }

    /// Acts on an expired deadline, or sleeps until the next one.
    private func check(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let timeout: TimeAmount
        switch self.activity.phase {
        case .idle: timeout = self.idleTimeout
        case .reading: timeout = self.requestTimeout
        case .processing: timeout = min(self.requestTimeout, self.idleTimeout)
        }
        let remaining = self.activity.since + timeout - .now()
        if self.activity.phase == .processing || remaining > .zero {
            return self.schedule(in: max(remaining, .milliseconds(1)), context: context)
        }
        if self.activity.phase == .reading {
            let response = HTTPResponse(status: .requestTimeout, route: "timeout").wire(
                version: .http1_1, keepAlive: false, includingBody: false, allocator: context.channel.allocator)
            context.writeAndFlush(self.wrapOutboundOut(response.head), promise: nil)
        }
        context.close(promise: nil)
    }
}

/// The handler and its context, carried into the timer's closure as one non-generic value.
private struct TimerTarget {
    let handler: HTTPTimeoutHandler
    let context: ChannelHandlerContext
}
