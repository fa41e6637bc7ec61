/// The lifecycle's transitions, without clocks or I/O, so every path is testable on its own.
package struct LifecycleStateMachine: Sendable, Equatable {
    /// What a drain request leads to.
    package enum DrainDecision: Sendable, Equatable {
        /// The first request: start the drain timeline.
        case startDraining
        /// A drain is already under way; nothing more to do.
        case alreadyDraining
        /// A second termination signal: exit now, cutting what is in flight.
        case forceExit
    }

    /// Where a drain request comes from.
    package enum DrainTrigger: Sendable, Equatable, CustomStringConvertible {
        /// `POST /prestop` (the preStop hook, `uservice drain`).
        case preStopHook
        /// SIGTERM or SIGINT.
        case signal(String)
        /// The service group is shutting down for another reason.
        case shutdown

        package var description: String {
            switch self {
            case .preStopHook: "preStop hook"
            case .signal(let name): name
            case .shutdown: "shutdown"
            }
        }
    }

    package private(set) var state: LifecycleState = .starting
    /// What started the drain, once one has.
    package private(set) var drainTrigger: DrainTrigger?
    private var signalsReceived = 0

    package init() {}

    /// Listeners are bound: `starting -> ready`. Returns false when a drain came first.
    package mutating func startupCompleted() -> Bool {
        guard self.state == .starting else { return false }
        self.state = .ready
        return true
    }

    /// A drain was requested. The first request of any kind starts it; while draining, only a
    /// second termination *signal* forces an exit (the preStop hook followed by Kubernetes'
    /// SIGTERM is the normal sequence, not a reason to hurry).
    package mutating func drainRequested(by trigger: DrainTrigger) -> DrainDecision {
        if case .signal = trigger { self.signalsReceived += 1 }
        switch self.state {
        case .starting, .ready:
            self.state = .draining
            self.drainTrigger = trigger
            return .startDraining
        case .draining, .stopped:
            if case .signal = trigger, self.signalsReceived > 1 { return .forceExit }
            return .alreadyDraining
        }
    }

    /// In-flight work is finished: `draining -> stopped`.
    package mutating func drainCompleted() {
        self.state = .stopped
    }
}
