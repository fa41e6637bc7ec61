import Metrics
import NIOConcurrencyHelpers

/// The shared, thread-safe lifecycle: probes and handlers read it, triggers move it, and the
/// drain coordinator waits on it. Publishes `uservice_lifecycle_state{state}` (1 for the
/// current state, 0 for the others).
package final class LifecycleController: Sendable {
    private struct Shared {
        var machine = LifecycleStateMachine()
        var drainStartedAt: ContinuousClock.Instant?
        var drainWaiters: [CheckedContinuation<LifecycleStateMachine.DrainTrigger, Never>] = []
    }

    /// Help text of the metric the lifecycle publishes.
    static let metricDescriptions = [
        "uservice_lifecycle_state": "1 for the agent's current lifecycle state, 0 for the others."
    ]

    private let shared = NIOLockedValueBox(Shared())
    private let stateGauges: [LifecycleState: Gauge]

    package init() {
        var gauges: [LifecycleState: Gauge] = [:]
        for state in LifecycleState.allCases {
            gauges[state] = Gauge(label: "uservice_lifecycle_state", dimensions: [("state", state.rawValue)])
        }
        self.stateGauges = gauges
        self.publish(.starting)
    }

    /// The current state.
    package var state: LifecycleState {
        self.shared.withLockedValue { $0.machine.state }
    }

    /// True from the moment a drain starts.
    package var isDraining: Bool {
        let state = self.state
        return state == .draining || state == .stopped
    }

    /// When the drain started, if it has.
    package var drainStartedAt: ContinuousClock.Instant? {
        self.shared.withLockedValue { $0.drainStartedAt }
    }

    /// Marks startup complete; false when a drain started first.
    @discardableResult
    package func startupCompleted() -> Bool {
        let moved = self.shared.withLockedValue { $0.machine.startupCompleted() }
        if moved { self.publish(.ready) }
        return moved
    }

    /// Requests a drain; the first request wakes ``waitForDrain()``.
    package func requestDrain(by trigger: LifecycleStateMachine.DrainTrigger) -> LifecycleStateMachine.DrainDecision {
        let (decision, waiters) = self.shared.withLockedValue { shared in
            let decision = shared.machine.drainRequested(by: trigger)
            guard decision == .startDraining else {
                return (decision, [CheckedContinuation<LifecycleStateMachine.DrainTrigger, Never>]())
            }
            shared.drainStartedAt = .now
            defer { shared.drainWaiters = [] }
            return (decision, shared.drainWaiters)
        }
        if decision == .startDraining {
            self.publish(.draining)
            for waiter in waiters { waiter.resume(returning: trigger) }
        }
        return decision
    }

    /// Marks the drain finished.
    package func drainCompleted() {
        self.shared.withLockedValue { $0.machine.drainCompleted() }
        self.publish(.stopped)
    }

    /// Suspends until a drain is requested and returns what requested it.
    package func waitForDrain() async -> LifecycleStateMachine.DrainTrigger {
        await withCheckedContinuation { continuation in
            let trigger: LifecycleStateMachine.DrainTrigger? = self.shared.withLockedValue { shared in
                if let trigger = shared.machine.drainTrigger { return trigger }
                shared.drainWaiters.append(continuation)
                return nil
            }
            if let trigger { continuation.resume(returning: trigger) }
        }
    }

    private func publish(_ current: LifecycleState) {
        for (state, gauge) in self.stateGauges {
            gauge.record(state == current ? 1 : 0)
        }
    }
}
