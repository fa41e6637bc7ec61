/// The three Kubernetes probes, named by their paths on the health port.
public enum Probe: String, Sendable, CaseIterable {
    /// `/livez`: is the process healthy, or should Kubernetes restart it?
    case liveness = "livez"
    /// `/readyz`: should the pod receive traffic? Fails while draining.
    case readiness = "readyz"
    /// `/startupz`: has the agent finished starting?
    case startup = "startupz"

    /// The probe whose whole report is at `path` (`/readyz`); nil for any other path.
    init?(path: Substring) {
        switch path {
        case "/livez": self = .liveness
        case "/readyz": self = .readiness
        case "/startupz": self = .startup
        default: return nil
        }
    }

    /// The `route` label of the whole report (`/readyz`) or of one check (`/readyz/{check}`).
    func route(oneCheck: Bool) -> String {
        switch (self, oneCheck) {
        case (.liveness, false): "/livez"
        case (.liveness, true): "/livez/{check}"
        case (.readiness, false): "/readyz"
        case (.readiness, true): "/readyz/{check}"
        case (.startup, false): "/startupz"
        case (.startup, true): "/startupz/{check}"
        }
    }
}
