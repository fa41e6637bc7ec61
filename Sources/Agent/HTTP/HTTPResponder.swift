import NIOCore

/// Answers whole requests for one listener.
///
/// Called on the connection's event loop; it must not block. Quick answers return a
/// succeeded future; slow ones schedule their work and complete the future later.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponse>
}
