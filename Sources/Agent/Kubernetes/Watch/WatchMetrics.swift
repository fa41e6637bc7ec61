import Metrics
internal import UServiceSupport

/// The watches' metrics, labelled by resource (`configmaps`, `pods`).
enum WatchMetrics {
    static let descriptions = [
        "uservice_kubernetes_watch_events_total": "Watch events received, by resource and type.",
        "uservice_kubernetes_watch_restarts_total":
            "List and watch restarts, by resource and reason (closed, expired, error, unauthorized).",
        "uservice_kubernetes_watch_last_sync_timestamp_seconds":
            "When a list or watch event (bookmarks included) last showed the watch in sync, in Unix seconds.",
    ]

    static func countEvent(resource: String, type: String) {
        Counter(label: "uservice_kubernetes_watch_events_total", dimensions: [("resource", resource), ("type", type)])
            .increment()
    }

    static func countRestart(resource: String, reason: String) {
        Counter(
            label: "uservice_kubernetes_watch_restarts_total", dimensions: [("resource", resource), ("reason", reason)]
        ).increment()
    }

    /// Records now as the last time the watch of `resource` was known to be in sync.
    static func recordSync(resource: String) {
        let now = UTCTimestamp.now()
        Gauge(label: "uservice_kubernetes_watch_last_sync_timestamp_seconds", dimensions: [("resource", resource)])
            .record(Double(now.seconds) + Double(now.nanoseconds) / 1e9)
    }
}
