import Metrics
import NIOConcurrencyHelpers
internal import NIOHTTP1

/// The `http_server_*` metrics of both listeners: a duration histogram per method, route and
/// status, and the number of requests being served.
package final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: String
    }

    private let timers = NIOLockedValueBox<[Key: Metrics.Timer]>([:])
    private let activeRequests = Meter(label: "http_server_active_requests")

    package init() {}

    /// Help text of the metrics the HTTP server records, by name, for the metrics backend.
    package static let metricDescriptions = [
        "http_server_request_duration_seconds":
            "Time from a whole request in to its answer ready, by method, route template and status.",
        "http_server_active_requests": "Requests being answered now, on both listeners.",
        "uservice_http_connections": "Connections open now, by listener.",
        "uservice_http_connections_rejected_total":
            "Connections closed on accept because the listener was at maxConnections.",
    ]

    func requestStarted() {
        self.activeRequests.increment()
    }

    /// The duration series a connection recorded into last, so a keep-alive connection that
    /// repeats one request (a probe, a load test) skips the shared table and its lock.
    struct LastSeries {
        fileprivate var method: HTTPMethod
        fileprivate var route: String
        fileprivate var status: HTTPResponseStatus
        fileprivate var timer: Metrics.Timer
    }

    func requestFinished(
        method: HTTPMethod,
        route: String,
        status: HTTPResponseStatus,
        nanoseconds: Int64,
        last: inout LastSeries?
    ) {
        self.activeRequests.decrement()
        if let last, last.method == method, last.status == status, last.route == route {
            return last.timer.recordNanoseconds(nanoseconds)
        }
        let timer = self.timer(method: Self.methodLabel(method), route: route, status: Self.statusLabel(status))
        last = LastSeries(method: method, route: route, status: status, timer: timer)
        timer.recordNanoseconds(nanoseconds)
    }

    private func timer(method: String, route: String, status: String) -> Metrics.Timer {
        let key = Key(method: method, route: route, status: status)
        return self.timers.withLockedValue { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: "http_server_request_duration_seconds",
                dimensions: [("method", method), ("route", route), ("status", status)]
            )
            timers[key] = timer
            return timer
        }
    }

    /// The status code for the statuses HTTP defines; any other (a plugin may answer any code
    /// from 200 to 599) is its class, `2xx` to `5xx`, so the number of series stays bounded.
    private static func statusLabel(_ status: HTTPResponseStatus) -> String {
        if case .custom = status { return "\(status.code / 100)xx" }
        return String(status.code)
    }

    /// The methods that get their own label value; any other is `_OTHER`, so clients cannot
    /// grow the number of series by inventing methods.
    private static func methodLabel(_ method: HTTPMethod) -> String {
        switch method {
        case .GET, .HEAD, .POST, .PUT, .DELETE, .PATCH, .OPTIONS: method.rawValue
        default: "_OTHER"
        }
    }
}
