internal import UServiceSupport

/// Jittered exponential backoff: the delay before retry `attempt` (0-based) is drawn between
/// half and all of `base * 2^attempt`, capped at `cap`, so agents restarted together do not
/// retry in step.
struct Backoff: Sendable {
    var base: Duration = .milliseconds(500)
    var cap: Duration = .seconds(30)

    func delay<Generator: RandomNumberGenerator>(beforeRetry attempt: Int, using generator: inout Generator) -> Duration
    {
        var ceiling = self.base
        for _ in 0..<min(attempt, 16) where ceiling < self.cap { ceiling *= 2 }
        ceiling = min(ceiling, self.cap)
        let half = ceiling / 2
        let jitterNanoseconds = Int64.random(in: 0...max(0, half.wholeNanoseconds), using: &generator)
        return half + .nanoseconds(jitterNanoseconds)
    }

    /// The wait a server's `Retry-After` asks for, as the agent honours it: at least 1 s (zero
    /// or less is no reason to retry at once), at most 60 s.
    static func honouring(retryAfter: Duration) -> Duration {
        min(max(retryAfter, .seconds(1)), .seconds(60))
    }
}
