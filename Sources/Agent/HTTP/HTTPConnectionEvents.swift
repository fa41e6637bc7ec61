/// Outbound user events the request handler sends toward the front of the pipeline, so the
/// timeout handler (which sees only bytes) knows where each request and response ends.
enum HTTPConnectionEvent: Sendable {
    /// A request was fully received; the server is now working on it.
    case requestReceived
    /// The response was fully written; the connection is idle unless more bytes arrived.
    case responseSent
}
