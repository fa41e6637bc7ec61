import NIOConcurrencyHelpers
internal import UServiceSupport

/// A watchdog: passes while it was ticked (or created) within `margin`, fails after.
///
/// Like the original service's HealthProbe: whoever does the work ticks it, and a stalled
/// worker turns the probe red.
public final class Ticker: Sendable {
    /// How long one tick keeps the check passing.
    public let margin: Duration
    private let lastTick: NIOLockedValueBox<ContinuousClock.Instant>

    public init(margin: Duration, now: ContinuousClock.Instant = .now) {
        self.margin = margin
        self.lastTick = NIOLockedValueBox(now)
    }

    /// Records that the watched work is alive.
    public func tick(at instant: ContinuousClock.Instant = .now) {
        self.lastTick.withLockedValue { $0 = max($0, instant) }
    }

    /// Passes when the last tick is at most `margin` before `instant`.
    public func check(at instant: ContinuousClock.Instant = .now) -> HealthCheckResult {
        let age = instant - self.lastTick.withLockedValue { $0 }
        let description = "last tick \(age.wholeMilliseconds)ms ago, margin \(self.margin.wholeMilliseconds)ms"
        return age <= self.margin ? .pass(description) : .fail(description)
    }
}
