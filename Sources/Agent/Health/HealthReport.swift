public import NIOCore
internal import UServiceSupport

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
        var maxBytes = 32
        for entry in self.entries {
            maxBytes +=
                48 + UTCTimestamp.maxRFC3339Bytes
                + JSONString.maxEscapedBytes(entry.name) + JSONString.maxEscapedBytes(entry.result.output)
        }
        var buffer = ByteBufferAllocator().buffer(capacity: maxBytes)
        buffer.writeDirectly(upTo: maxBytes) { writer in
            writer.append(self.passed ? "{\"status\":\"pass\",\"checks\":{" : "{\"status\":\"fail\",\"checks\":{")
            for (index, entry) in self.entries.enumerated() {
                writer.append(index == 0 ? "\"" : ",\"")
                JSONString.writeEscaped(entry.name, to: &writer)
                writer.append(
                    entry.result.passed
                        ? "\":{\"status\":\"pass\",\"output\":\"" : "\":{\"status\":\"fail\",\"output\":\"")
                JSONString.writeEscaped(entry.result.output, to: &writer)
                writer.append("\",\"time\":\"")
                entry.result.time.writeRFC3339(to: &writer)
                writer.append("\"}")
            }
            writer.append("}}")
        }
        return buffer
    }
}
