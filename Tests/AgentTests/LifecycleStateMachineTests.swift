import Agent
import Testing

/// Requests a drain outside `#expect`, which cannot call mutating methods.
private func drain(
    _ machine: inout LifecycleStateMachine,
    _ trigger: LifecycleStateMachine.DrainTrigger
) -> LifecycleStateMachine.DrainDecision {
    machine.drainRequested(by: trigger)
}

@Suite("lifecycle state machine")
struct LifecycleStateMachineTests {
    @Test func startsReadyDrainsStops() {
        var machine = LifecycleStateMachine()
        #expect(machine.state == .starting)
        let started = machine.startupCompleted()
        #expect(started)
        #expect(machine.state == .ready)
        #expect(drain(&machine, .signal("SIGTERM")) == .startDraining)
        #expect(machine.state == .draining)
        #expect(machine.drainTrigger == .signal("SIGTERM"))
        machine.drainCompleted()
        #expect(machine.state == .stopped)
    }

    @Test func preStopThenSIGTERMIsTheNormalSequence() {
        var machine = LifecycleStateMachine()
        _ = machine.startupCompleted()
        #expect(drain(&machine, .preStopHook) == .startDraining)
        #expect(drain(&machine, .signal("SIGTERM")) == .alreadyDraining)
        #expect(drain(&machine, .preStopHook) == .alreadyDraining)
        #expect(drain(&machine, .signal("SIGTERM")) == .forceExit)
        #expect(machine.drainTrigger == .preStopHook)
    }

    @Test func secondSignalForcesExit() {
        var machine = LifecycleStateMachine()
        _ = machine.startupCompleted()
        #expect(drain(&machine, .signal("SIGINT")) == .startDraining)
        #expect(drain(&machine, .signal("SIGTERM")) == .forceExit)
    }

    @Test func drainBeforeReadyWins() {
        var machine = LifecycleStateMachine()
        #expect(drain(&machine, .signal("SIGTERM")) == .startDraining)
        let started = machine.startupCompleted()
        #expect(!started)
        #expect(machine.state == .draining)
    }

    @Test func controllerWakesDrainWaitersAndTracksState() async {
        let controller = LifecycleController()
        controller.startupCompleted()
        async let trigger = controller.waitForDrain()
        #expect(!controller.isDraining)
        #expect(controller.requestDrain(by: .preStopHook) == .startDraining)
        #expect(await trigger == .preStopHook)
        #expect(controller.isDraining)
        #expect(controller.drainStartedAt != nil)
        #expect(await controller.waitForDrain() == .preStopHook, "a late waiter returns at once")
    }
}
