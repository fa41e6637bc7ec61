package import NIOCore

/// What one listener allows: how many connections, and how much and how long each may send.
/// A listener reads its limits for every new connection, so new values apply to new connections.
package struct HTTPServerLimits: Sendable, Equatable {
    /// Connections open at once; past it, new ones are closed as soon as they are accepted.
    package var maxConnections: Int
    /// The largest request head (request line and fields; also a body's trailers): 400 above.
    package var maxHeadBytes: Int
    /// The largest request body: 413 above.
    package var maxBodyBytes: Int
    /// How long a request may take to arrive once it has started, and a new connection to send
    /// its first byte: 408 (or a close) after.
    package var requestTimeout: TimeAmount
    /// How long a kept-alive connection may wait for its next request, and a last answer for a
    /// peer that does not read it.
    package var idleTimeout: TimeAmount

    package init(
        maxConnections: Int = 1024,
        maxHeadBytes: Int = 16 << 10,
        maxBodyBytes: Int = 1 << 20,
        requestTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(60)
    ) {
        self.maxConnections = maxConnections
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }
}
