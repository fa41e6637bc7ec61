internal import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Pauses a listening socket for a moment when accepting fails for want of resources (no file
/// descriptor left, `EMFILE` or `ENFILE`; no memory or buffers).
///
/// The pending connection stays in the kernel's queue, so the socket stays readable: accepting
/// again at once fails again, and the event loop would spin a core (about 22,000 failed
/// `accept4` calls a second were measured). NIO's `AcceptBackoffHandler` delays the next
/// `read`, but the server channel keeps its read interest after a failed accept, so epoll goes
/// on waking it. Turning `autoRead` off removes that interest; it is turned back on after
/// ``pause``, and the listener takes connections again as soon as descriptors are free.
final class AcceptPause: ChannelInboundHandler {
    typealias InboundIn = any Channel

    /// How long accepting stops after such a failure.
    static let pause = TimeAmount.milliseconds(100)
    private var resume: Scheduled<Void>?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode) else {
            return context.fireErrorCaught(error)
        }
        guard self.resume == nil else { return }
        let channel = context.channel
        channel.setOption(.autoRead, value: false).whenComplete { _ in }
        self.resume = context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) {
            self.resume = nil
            channel.setOption(.autoRead, value: true).whenComplete { _ in }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.resume?.cancel()
    }
}
