import Metrics
import NIOConcurrencyHelpers

/// The bounded queue between the parts that record Events and the reporter that sends them.
///
/// Recording never blocks: when the queue is full the oldest Event is dropped and counted in
/// `uservice_events_dropped_total{reason="queue_full"}`.
package final class EventQueue: Sendable {
    private struct State {
        var events: [AgentEvent] = []
        var waiter: CheckedContinuation<AgentEvent?, Never>?
        var closed = false
    }

    package let capacity: Int
    private let state = NIOLockedValueBox(State())

    package init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// Queues an Event for the reporter; ignored once the queue is closed.
    package func record(_ reason: AgentEvent.Reason, note: String) {
        self.record(AgentEvent(reason, note: note))
    }

    /// Queues an Event for the reporter; ignored once the queue is closed.
    package func record(_ event: AgentEvent) {
        let (waiter, dropped): (CheckedContinuation<AgentEvent?, Never>?, Bool) = self.state.withLockedValue { state in
            guard !state.closed else { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.events.append(event)
            guard state.events.count > self.capacity else { return (nil, false) }
            state.events.removeFirst()
            return (nil, true)
        }
        waiter?.resume(returning: event)
        if dropped { EventQueue.countDropped(.queueFull) }
    }

    /// The next Event, waiting for one; nil once the queue is closed and empty, or when the
    /// task is cancelled. One consumer at a time.
    func next() async -> AgentEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: AgentEvent?? = self.state.withLockedValue { state in
                    if !state.events.isEmpty { return .some(state.events.removeFirst()) }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = self.state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Stops accepting Events; ``next()`` returns what is queued, then nil.
    func close() {
        let waiter = self.state.withLockedValue { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Empties the queue, returning how many Events were in it.
    func discardAll() -> Int {
        self.state.withLockedValue { state in
            defer { state.events = [] }
            return state.events.count
        }
    }

    /// Why an Event was not delivered.
    enum DropReason: String, Error {
        /// The queue was full and the Event was the oldest.
        case queueFull = "queue_full"
        /// The API server refused it (4xx other than 401 and 429).
        case rejected
        /// Every retry failed.
        case retriesExhausted = "retries_exhausted"
        /// The flush deadline at exit passed first.
        case shutdown
    }

    /// Help text of the metric of Events that were not reported.
    static let metricDescriptions = [
        "uservice_events_dropped_total": "Lifecycle Events not reported to the Kubernetes API, by reason."
    ]

    static func countDropped(_ reason: DropReason, count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: "uservice_events_dropped_total", dimensions: [("reason", reason.rawValue)])
            .increment(by: count)
    }
}
