import NIOConcurrencyHelpers

/// A slow check run in the background, with its latest result cached for the probes.
final class PolledCheck: Sendable {
    let name: String
    let interval: Duration
    let timeout: Duration
    private let check: @Sendable () async -> HealthCheckResult
    private let result = NIOLockedValueBox(HealthCheckResult.fail("not checked yet"))

    init(name: String, interval: Duration, timeout: Duration, check: @escaping @Sendable () async -> HealthCheckResult)
    {
        self.name = name
        self.interval = interval
        self.timeout = timeout
        self.check = check
    }

    /// The result of the last run.
    var latest: HealthCheckResult {
        self.result.withLockedValue { $0 }
    }

    /// Runs the check once. A run longer than `timeout` is recorded as a failure at once and
    /// cancelled; a check that ignores cancellation delays only its own next run.
    func runOnce() async {
        await withTaskGroup(of: HealthCheckResult?.self) { group in
            group.addTask { await self.check() }
            group.addTask {
                try? await Task.sleep(for: self.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            let timeoutText = "timed out after \(self.timeout)"
            self.result.withLockedValue { $0 = first ?? .fail(timeoutText) }
            group.cancelAll()
        }
    }
}
