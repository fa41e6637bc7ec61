internal import AgentConfiguration
import HTTPServer
internal import Logging
internal import ServiceLifecycle

/// Carries out the drain timeline once anything requests it, then returns, which shuts the
/// service group down:
///
/// 1. readiness fails at once (the lifecycle is `draining`);
/// 2. the data port keeps serving for `lifecycle.drainDelay`, answering `Connection: close`;
/// 3. the data port stops accepting and waits up to `lifecycle.shutdownTimeout` for requests
///    in flight, then cuts what is left (and says so);
/// 4. the lifecycle is `stopped`.
///
/// It records the `Draining` and `Stopped` Events; the reporter sends `Stopped` during the
/// group's shutdown, within `kubernetes.flushTimeout`.
struct DrainCoordinator: Service {
    let lifecycle: LifecycleController
    let settings: RuntimeSettings
    let dataListener: HTTPListener
    let events: LifecycleEventPublisher
    let logger: Logger
    /// Set when the deadline cut requests, for the exit status.
    let outcome: DrainOutcome

    func run() async throws {
        let trigger = await withGracefulShutdownHandler {
            await self.lifecycle.waitForDrain()
        } onGracefulShutdown: {
            _ = self.lifecycle.requestDrain(by: .shutdown)
        }
        let timing = self.settings.current.lifecycle
        self.events.record(
            .draining,
            note: "draining (\(trigger)): drain delay \(timing.drainDelay), shutdown timeout \(timing.shutdownTimeout)")
        self.logger.notice(
            "draining",
            metadata: [
                "trigger": "\(trigger)", "drainDelay": "\(timing.drainDelay)",
                "shutdownTimeout": "\(timing.shutdownTimeout)",
            ])
        try? await Task.sleep(for: timing.drainDelay.duration)

        // Logged once it is true: tests and operators may act on the line.
        await self.dataListener.stopAccepting()
        let inFlight = self.dataListener.activity
        self.logger.info(
            "drain delay over: no longer accepting connections",
            metadata: [
                "connections": .stringConvertible(inFlight.connections),
                "requests": .stringConvertible(inFlight.requests),
            ])
        let cut = await self.dataListener.drain(within: timing.shutdownTimeout.duration)
        if cut.connections > 0 {
            self.outcome.recordCut(requests: cut.requests, connections: cut.connections)
            self.logger.error(
                "shutdown timeout reached: closed connections with work in flight",
                metadata: [
                    "connections": .stringConvertible(cut.connections), "requests": .stringConvertible(cut.requests),
                ])
        }
        self.lifecycle.drainCompleted()
        self.events.record(
            .stopped,
            note: cut.connections > 0
                ? "stopped: the shutdown timeout cut \(cut.requests) requests on \(cut.connections) connections"
                : "stopped: every request in flight completed")
        self.logger.notice("drained")
    }
}
