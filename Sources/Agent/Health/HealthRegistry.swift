public import AgentConfiguration
import NIOConcurrencyHelpers

/// Where every part of the agent registers the checks behind the probes.
///
/// Probes only read: synchronous checks are cheap by contract (a ticker, a state flag), and
/// slow checks are *polled* by ``PolledCheckRunner`` in the background with a timeout, their
/// last result cached, so a slow dependency never slows a probe.
public final class HealthRegistry: Sendable {
    private struct Entry: Sendable {
        var name: String
        var probes: Set<Probe>
        var namedOnly: Set<Probe>
        var evaluate: @Sendable () -> HealthCheckResult
    }

    private struct Checks {
        /// Every check, in registration order.
        var all: [Entry] = []
        /// The checks in each probe's overall report, in registration order: what a probe
        /// request reads, kept ready so a probe neither filters nor holds the lock for long.
        private var liveness: [Entry] = []
        private var readiness: [Entry] = []
        private var startup: [Entry] = []

        func inReport(of probe: Probe) -> [Entry] {
            switch probe {
            case .liveness: self.liveness
            case .readiness: self.readiness
            case .startup: self.startup
            }
        }

        mutating func replace(_ entry: Entry) {
            self.all.removeAll { $0.name == entry.name }
            self.all.append(entry)
            self.liveness = self.all.filter { $0.probes.contains(.liveness) }
            self.readiness = self.all.filter { $0.probes.contains(.readiness) }
            self.startup = self.all.filter { $0.probes.contains(.startup) }
        }
    }

    private let checks = NIOLockedValueBox(Checks())
    private let polled = NIOLockedValueBox<[PolledCheck]>([])

    public init() {}

    /// Registers a fast check evaluated on every probe request. A second check with the same
    /// name replaces the first.
    ///
    /// - Parameters:
    ///   - probes: the probes whose reports include the check.
    ///   - namedOnly: probes that serve the check only at its own path (`/readyz/NAME`),
    ///     without counting it in their overall status.
    public func register(
        _ name: String,
        probes: Set<Probe>,
        namedOnly: Set<Probe> = [],
        check: @escaping @Sendable () -> HealthCheckResult
    ) {
        self.checks.withLockedValue {
            $0.replace(Entry(name: name, probes: probes, namedOnly: namedOnly, evaluate: check))
        }
    }

    /// Registers a check that may be slow: it runs every `interval` with `timeout` in the
    /// background, and probes see its latest result (failing until the first one).
    public func registerPolled(
        _ name: String,
        probes: Set<Probe>,
        namedOnly: Set<Probe> = [],
        interval: Duration,
        timeout: Duration,
        check: @escaping @Sendable () async -> HealthCheckResult
    ) {
        let polledCheck = PolledCheck(name: name, interval: interval, timeout: timeout, check: check)
        self.polled.withLockedValue { $0.append(polledCheck) }
        self.register(name, probes: probes, namedOnly: namedOnly) { polledCheck.latest }
    }

    /// The checks that run in the background.
    var polledChecks: [PolledCheck] {
        self.polled.withLockedValue { $0 }
    }

    /// The report of `probe`: every check in it but those in `excluding`, or only the one
    /// named `only`. Nil when `only` names no check of this probe.
    public func report(_ probe: Probe, only: String? = nil, excluding: Set<String> = []) -> HealthReport? {
        let selected: [Entry]
        if let only {
            selected = self.checks.withLockedValue { checks in
                checks.all.filter { $0.name == only && ($0.probes.contains(probe) || $0.namedOnly.contains(probe)) }
            }
            if selected.isEmpty { return nil }
        } else {
            let inProbe = self.checks.withLockedValue { $0.inReport(of: probe) }
            selected = excluding.isEmpty ? inProbe : inProbe.filter { !excluding.contains($0.name) }
        }
        return HealthReport(entries: selected.map { HealthReport.Entry(name: $0.name, result: $0.evaluate()) })
    }
}
