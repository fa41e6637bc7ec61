internal import AgentConfiguration

/// Where each probe is served on the health port.
extension Probe {
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
