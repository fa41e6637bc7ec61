package import NIOCore

/// Answers whole requests for one listener.
///
/// Called on the connection's event loop; it must not block. Quick answers are returned
/// `.now`, without a future; slow ones schedule their work and answer `.later`.
package protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer
}

/// A responder's answer: ready now, or when a future completes.
package enum HTTPAnswer: Sendable {
    case now(HTTPResponse)
    case later(EventLoopFuture<HTTPResponse>)
}
