import NIOConcurrencyHelpers

/// Where one watch stands, for the `kubernetes-watch` check: in sync with the API server, or
/// not (and why, and since when).
final class WatchStatus: Sendable {
    enum State: Sendable, Equatable {
        /// Not listed yet; the last attempt's error, if one failed.
        case starting(lastError: String?)
        /// Listed, and a stream is open or being re-opened after ending cleanly.
        case watching
        /// Lists or watches have failed since `since`; retrying.
        case failing(reason: String, since: ContinuousClock.Instant)
    }

    private struct Record {
        var state = State.starting(lastError: nil)
        /// When the watch last came back in sync, and since when it had been failing then: a
        /// failure soon after is the same outage, not a new one.
        var recovered: (at: ContinuousClock.Instant, failingSince: ContinuousClock.Instant)?
    }

    /// How long a watch may be failing before the check fails: a stream cut now and then (a
    /// load balancer's idle timeout) is re-opened well within it, so readiness does not flap.
    static let grace: Duration = .seconds(10)
    /// A recovery shorter than this does not end the outage it came from.
    static let shortRecovery: Duration = .seconds(1)

    /// The watched object, as `configmap/NAME`.
    let object: String
    private let box = NIOLockedValueBox(Record())

    init(object: String) {
        self.object = object
    }

    var state: State {
        self.box.withLockedValue { $0.state }
    }

    /// Marks the watch in sync; true when it was failing before.
    func synced(at now: ContinuousClock.Instant = .now) -> Bool {
        self.box.withLockedValue { record in
            defer { record.state = .watching }
            switch record.state {
            case .failing(_, let since):
                record.recovered = (now, since)
                return true
            case .starting(let lastError):
                return lastError != nil
            case .watching:
                return false
            }
        }
    }

    /// Records a failure; true when it starts a new outage (the first failure since the watch
    /// was in sync for more than ``shortRecovery``, or the first before any list).
    func failed(_ reason: String, at now: ContinuousClock.Instant = .now) -> Bool {
        self.box.withLockedValue { record in
            switch record.state {
            case .starting(let lastError):
                record.state = .starting(lastError: reason)
                return lastError == nil
            case .failing(_, let since):
                record.state = .failing(reason: reason, since: since)
                return false
            case .watching:
                if let recovered = record.recovered, now - recovered.at < Self.shortRecovery {
                    record.state = .failing(reason: reason, since: recovered.failingSince)
                    return false
                }
                record.state = .failing(reason: reason, since: now)
                return true
            }
        }
    }

    /// Passes while every watch is in sync or has been failing for less than ``grace`` since it
    /// was last listed; the output names each watch and its state.
    static func check(_ watches: [WatchStatus], now: ContinuousClock.Instant = .now) -> HealthCheckResult {
        var inSync = true
        let lines = watches.map { watch in
            switch watch.state {
            case .starting(let lastError):
                inSync = false
                return "\(watch.object): not listed yet" + (lastError.map { ": \($0)" } ?? "")
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
