import Metrics
import NIOConcurrencyHelpers
import NIOHTTP1

/// The `http_server_*` metrics of both listeners: a duration histogram per method, route and
/// status, and the number of requests being served.
public final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: UInt
    }

    private let timers = NIOLockedValueBox<[Key: Metrics.Timer]>([:])
    private let activeRequests = Meter(label: "http_server_active_requests")

    public init() {}

    func requestStarted() {
        self.activeRequests.increment()
    }

    /// The methods that get their own label value; any other is `_OTHER`, so clients cannot
    /// grow the number of series by inventing methods.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    func requestFinished(method: HTTPMethod, route: String, status: HTTPResponseStatus, nanoseconds: Int64) {
        self.activeRequests.decrement()
        let methodLabel = Self.knownMethods.contains(method.rawValue) ? method.rawValue : "_OTHER"
        let key = Key(method: methodLabel, route: route, status: status.code)
        let timer = self.timers.withLockedValue { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: "http_server_request_duration_seconds",
                dimensions: [("method", methodLabel), ("route", route), ("status", String(status.code))]
            )
            timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }
}
