public import UServiceSupport

/// The outcome of one health check at one moment.
public struct HealthCheckResult: Sendable, Equatable {
    /// True when the check passes.
    public var passed: Bool
    /// A short human-readable explanation, shown in the probe body.
    public var output: String
    /// When the result was produced.
    public var time: UTCTimestamp

    public init(passed: Bool, output: String, time: UTCTimestamp = .now()) {
        self.passed = passed
        self.output = output
        self.time = time
    }

    public static func pass(_ output: String = "ok") -> HealthCheckResult {
        HealthCheckResult(passed: true, output: output)
    }

    public static func fail(_ output: String) -> HealthCheckResult {
        HealthCheckResult(passed: false, output: output)
    }
}
