import NIOCore

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

    /// `{"status":"pass|fail","checks":{"NAME":{"status":…,"output":…,"time":…}}}`, the
    /// `application/health+json` body, written in one pass straight into a response body:
    /// probes are the agent's hottest path.
    public func jsonBody() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(40 + self.entries.count * 110)
        buffer.writeStaticString(self.passed ? "{\"status\":\"pass\",\"checks\":{" : "{\"status\":\"fail\",\"checks\":{")
        var formatted: (seconds: Int, text: String)?
        for (index, entry) in self.entries.enumerated() {
            buffer.writeStaticString(index == 0 ? "\"" : ",\"")
            JSONString.writeEscaped(entry.name, to: &buffer)
            buffer.writeStaticString(
                entry.result.passed ? "\":{\"status\":\"pass\",\"output\":\"" : "\":{\"status\":\"fail\",\"output\":\"")
            JSONString.writeEscaped(entry.result.output, to: &buffer)
            // Results of one report almost always share their second: format it once.
            if formatted?.seconds != entry.result.time.seconds {
                formatted = (entry.result.time.seconds, entry.result.time.rfc3339())
            }
            buffer.writeStaticString("\",\"time\":\"")
            buffer.writeString(formatted?.text ?? "")
            buffer.writeStaticString("\"}")
        }
        buffer.writeStaticString("}}")
        return buffer
    }
}
