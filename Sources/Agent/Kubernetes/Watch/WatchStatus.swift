import NIOConcurrencyHelpers

/// Where one watch stands, for the `kubernetes-watch` check: in sync with the API server, or
/// not (and why, and since when).
final class WatchStatus: Sendable {
    enum State: Sendable, Equatable {
        /// Not listed yet.
        case starting
        /// Listed, and a stream is open or being re-opened after ending cleanly.
        case watching
        /// Lists or watches have failed since `since`; retrying.
        case failing(reason: String, since: ContinuousClock.Instant)
    }

    /// How long a watch may be failing before the check fails: a stream cut now and then (a
    /// load balancer's idle timeout) is re-opened well within it, so readiness does not flap.
    static let grace: Duration = .seconds(10)

    /// The watched object, as `configmap/NAME`.
    let object: String
    private let box = NIOLockedValueBox(State.starting)

    init(object: String) {
        self.object = object
    }

    var state: State {
        self.box.withLockedValue { $0 }
    }

    /// Marks the watch in sync; true when it was failing before.
    func synced() -> Bool {
        self.box.withLockedValue { state in
            defer { state = .watching }
            if case .failing = state { return true }
            return false
        }
    }

    /// Records a failure; true when it is the first since the watch was last in sync.
    func failed(_ reason: String, at now: ContinuousClock.Instant = .now) -> Bool {
        self.box.withLockedValue { state in
            guard case .failing(_, let since) = state else {
                state = .failing(reason: reason, since: now)
                return true
            }
            state = .failing(reason: reason, since: since)
            return false
        }
    }

    /// Passes while every watch is in sync or has been failing for less than ``grace``; the
    /// output names each watch and its state.
    static func check(_ watches: [WatchStatus], now: ContinuousClock.Instant = .now) -> HealthCheckResult {
        var inSync = true
        let lines = watches.map { watch in
            switch watch.state {
            case .starting:
                inSync = false
                return "\(watch.object): not listed yet"
            case .watching:
                return "\(watch.object): watching"
            case .failing(let reason, let since):
                let seconds = (now - since).components.seconds
                guard now - since >= Self.grace else { return "\(watch.object): retrying for \(seconds) s: \(reason)" }
                inSync = false
                return "\(watch.object): failing for \(seconds) s: \(reason)"
            }
        }
        let output = lines.joined(separator: "; ")
        return inSync ? .pass(output) : .fail(output)
    }
}
