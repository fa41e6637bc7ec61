internal import K8sClient
internal import UServiceSupport

/// Decides whether an Event is new or a repeat, as client-go's event recorder does: the same
/// reason and note again within ``window`` of its last occurrence updates the first Event's
/// `series` instead of creating another Event.
struct EventSeriesTracker {
    /// How long after its last occurrence an Event can still be repeated into a series.
    static let window: Duration = .seconds(6 * 60)

    /// What to send for an Event.
    enum Delivery: Equatable {
        /// Create an Event with this name.
        case create(name: String)
        /// Patch the series of the Event with this name.
        case updateSeries(name: String, series: Event.Series)
    }

    private struct Recorded {
        var name: String
        var count: Int
        var lastSeen: ContinuousClock.Instant
    }

    private var recorded: [String: Recorded] = [:]

    /// What to send for `event` seen at `now`, naming a new Event after `podName`.
    func delivery(for event: AgentEvent, podName: String, now: ContinuousClock.Instant) -> Delivery {
        if let previous = self.recorded[event.seriesKey], now - previous.lastSeen < Self.window {
            let series = Event.Series(
                count: previous.count + 1, lastObservedTime: event.time.rfc3339(fractionDigits: 6))
            return .updateSeries(name: previous.name, series: series)
        }
        return .create(name: Self.eventName(podName: podName, time: event.time))
    }

    /// Records that `delivery` of `event` succeeded.
    mutating func delivered(_ delivery: Delivery, for event: AgentEvent, now: ContinuousClock.Instant) {
        switch delivery {
        case .create(let name):
            self.recorded[event.seriesKey] = Recorded(name: name, count: 1, lastSeen: now)
        case .updateSeries(let name, let series):
            self.recorded[event.seriesKey] = Recorded(name: name, count: series.count, lastSeen: now)
        }
        self.recorded = self.recorded.filter { now - $0.value.lastSeen < Self.window }
    }

    /// Forgets the series of `event` (its Event is gone from the API server).
    mutating func forget(_ event: AgentEvent) {
        self.recorded[event.seriesKey] = nil
    }

    /// `POD.HEX-NANOSECONDS`, as client-go names Events; the pod part is shortened so the
    /// name stays within 253 characters.
    static func eventName(podName: String, time: UTCTimestamp) -> String {
        let nanoseconds = UInt64(time.seconds) &* 1_000_000_000 &+ UInt64(time.nanoseconds)
        return "\(podName.prefix(253 - 17)).\(String(nanoseconds, radix: 16))"
    }
}
