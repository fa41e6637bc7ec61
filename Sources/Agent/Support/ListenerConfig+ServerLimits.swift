internal import AgentConfiguration
import HTTPServer
internal import NIOCore

extension ListenerConfig {
    /// The limits the HTTP server applies to each new connection of this listener.
    var serverLimits: HTTPServerLimits {
        HTTPServerLimits(
            maxConnections: self.maxConnections,
            maxHeadBytes: self.maxHeaderBytes,
            maxBodyBytes: self.maxBodyBytes,
            requestTimeout: .milliseconds(Int64(self.requestTimeout.milliseconds)),
            idleTimeout: .milliseconds(Int64(self.idleTimeout.milliseconds)))
    }
}
