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

    private let entries = NIOLockedValueBox<[Entry]>([])
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
        self.entries.withLockedValue { entries in
            entries.removeAll { $0.name == name }
            entries.append(Entry(name: name, probes: probes, namedOnly: namedOnly, evaluate: check))
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
        let selected = self.entries.withLockedValue { entries in
            entries.filter { entry in
                guard let only else { return entry.probes.contains(probe) && !excluding.contains(entry.name) }
                return entry.name == only && (entry.probes.contains(probe) || entry.namedOnly.contains(probe))
            }
        }
        if only != nil && selected.isEmpty { return nil }
        var report = HealthReport(entries: [])
        report.entries.reserveCapacity(selected.count)
        for entry in selected {
            report.entries.append(HealthReport.Entry(name: entry.name, result: entry.evaluate()))
        }
        return report
    }
}
