/// The checks of one probe and their combined status, as the probe endpoints render it.
public struct HealthReport: Sendable, Equatable {
    /// One named check's result.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var result: HealthCheckResult
    }

    /// The checks that took part, in registration order.
    public var entries: [Entry]

    /// True when every check passes (also when there are none).
    public var passed: Bool { self.entries.allSatisfy(\.result.passed) }

    /// `{"status":"pass|fail","checks":{"NAME":{"status":…,"output":…,"time":…}}}`,
    /// the `application/health+json` body. Written in one pass into one string: probes are
    /// the agent's hottest path.
    public func json() -> String {
        var body = ""
        body.reserveCapacity(40 + self.entries.count * 110)
        body += self.passed ? "{\"status\":\"pass\",\"checks\":{" : "{\"status\":\"fail\",\"checks\":{"
        var formatted: (seconds: Int, text: String)?
        for (index, entry) in self.entries.enumerated() {
            body += index == 0 ? "\"" : ",\""
            JSONString.appendEscaped(entry.name, to: &body)
            body += entry.result.passed ? "\":{\"status\":\"pass\",\"output\":\"" : "\":{\"status\":\"fail\",\"output\":\""
            JSONString.appendEscaped(entry.result.output, to: &body)
            // Results of one report almost always share their second: format it once.
            if formatted?.seconds != entry.result.time.seconds {
                formatted = (entry.result.time.seconds, entry.result.time.rfc3339())
            }
            body += "\",\"time\":\""
            body += formatted?.text ?? ""
            body += "\"}"
        }
        body += "}}"
        return body
    }
}
