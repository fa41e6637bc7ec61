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
    /// the `application/health+json` body.
    public func json() -> String {
        var body = ""
        body.reserveCapacity(40 + self.entries.count * 100)
        body += self.passed ? "{\"status\":\"pass\",\"checks\":{" : "{\"status\":\"fail\",\"checks\":{"
        for (index, entry) in self.entries.enumerated() {
            if index > 0 { body += "," }
            body += JSONString.quoted(entry.name) + ":{\"status\":\"\(entry.result.passed ? "pass" : "fail")\""
            body += ",\"output\":" + JSONString.quoted(entry.result.output)
            body += ",\"time\":\"" + entry.result.time.rfc3339() + "\"}"
        }
        return body + "}}"
    }
}
