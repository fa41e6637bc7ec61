import NIOConcurrencyHelpers

/// Where one watch stands, for the `kubernetes-watch` check: in sync with the API server, or
/// not (and why).
final class WatchStatus: Sendable {
    enum State: Sendable, Equatable {
        /// Not listed yet.
        case starting
        /// Listed, and a stream is open or being re-opened after ending cleanly.
        case watching
        /// The last list or watch failed; retrying.
        case failing(String)
    }

    /// The watched object, as `configmap/NAME`.
    let object: String
    private let box = NIOLockedValueBox(State.starting)

    init(object: String) {
        self.object = object
    }

    var state: State {
        self.box.withLockedValue { $0 }
    }

    func update(_ state: State) {
        self.box.withLockedValue { $0 = state }
    }

    /// Passes while every watch is in sync; the output names each watch and its state.
    static func check(_ watches: [WatchStatus]) -> HealthCheckResult {
        var inSync = true
        let lines = watches.map { watch in
            switch watch.state {
            case .starting:
                inSync = false
                return "\(watch.object): not listed yet"
            case .watching:
                return "\(watch.object): watching"
            case .failing(let reason):
                inSync = false
                return "\(watch.object): \(reason)"
            }
        }
        let output = lines.joined(separator: "; ")
        return inSync ? .pass(output) : .fail(output)
    }
}
