/// The agent's phases: `starting -> ready -> draining -> stopped`.
package enum LifecycleState: String, Sendable, CaseIterable {
    /// Listeners are being bound; startup probe fails.
    case starting
    /// Serving; readiness passes.
    case ready
    /// Readiness fails; the data port serves with `Connection: close`, then stops accepting.
    case draining
    /// In-flight work is done (or cut); the process is exiting.
    case stopped
}
