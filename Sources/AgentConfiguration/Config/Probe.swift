/// The three Kubernetes probes, named by their paths on the health port.
public enum Probe: String, Sendable, CaseIterable {
    /// `/livez`: is the process healthy, or should Kubernetes restart it?
    case liveness = "livez"
    /// `/readyz`: should the pod receive traffic? Fails while draining.
    case readiness = "readyz"
    /// `/startupz`: has the agent finished starting?
    case startup = "startupz"

}
