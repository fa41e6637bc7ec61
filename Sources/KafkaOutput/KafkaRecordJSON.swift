internal import Agent
import K8sClient
import UServiceSupport

#if Kafka
/// The JSON value of a Kafka record. Every record has `kind` (`event`, `request` or
/// `pluginOutput`), `time` (RFC 3339, UTC), `service` and `pod`; then its own fields:
///
/// - event: `reason`, `type` (Normal/Warning), `action`, `note`, as in the Kubernetes Event;
/// - request: `method`, `path`, `status`, `bytes`, `durationMs`, `remote`, as in the access log;
/// - pluginOutput: `plugin`, `status`, `contentType`, and `output` (the answer as text) or,
///   when the answer is not UTF-8, `outputBase64`.
enum KafkaRecordJSON {
    static func render(_ record: AgentRecord, service: String, pod: String) -> String {
        var json = JSONObjectWriter()
        switch record {
        case .event(let event):
            json.field("kind", "event")
            json.common(time: event.time, service: service, pod: pod)
            json.field("reason", event.reason.rawValue)
            json.field("type", event.reason.type.rawValue)
            json.field("action", event.reason.action)
            json.field("note", event.note)
        case .request(let request):
            json.field("kind", "request")
            json.common(time: request.time, service: service, pod: pod)
            json.field("method", request.method)
            json.field("path", request.path)
            json.field("status", number: "\(request.status)")
            json.field("bytes", number: "\(request.bytes)")
            json.field("durationMs", number: "\(Double(request.nanoseconds / 1000) / 1000)")
            json.field("remote", request.remote)
        case .pluginOutput(let output):
            json.field("kind", "pluginOutput")
            json.common(time: output.time, service: service, pod: pod)
            json.field("plugin", output.plugin)
            json.field("status", number: "\(output.status)")
            json.field("contentType", output.contentType)
            if let text = String(validating: output.body, as: UTF8.self) {
                json.field("output", text)
            } else {
                json.field("outputBase64", Base64.encode(output.body))
            }
        }
        return json.finished()
    }
}

/// Writes one flat JSON object, field by field.
private struct JSONObjectWriter {
    private var text = "{"

    mutating func field(_ name: String, _ value: String) {
        self.key(name)
        self.text.append("\"")
        JSONString.appendEscaped(value, to: &self.text)
        self.text.append("\"")
    }

    /// A field whose value is already a JSON number.
    mutating func field(_ name: String, number: String) {
        self.key(name)
        self.text.append(number)
    }

    mutating func common(time: UTCTimestamp, service: String, pod: String) {
        self.field("time", time.rfc3339(fractionDigits: 6))
        self.field("service", service)
        self.field("pod", pod)
    }

    mutating func finished() -> String {
        self.text + "}"
    }

    private mutating func key(_ name: String) {
        if self.text.utf8.count > 1 { self.text.append(",") }
        self.text.append("\"\(name)\":")
    }
}

/// Standard base64 with padding.
private enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                output.append(
                    position <= chunk.count
                        ? Self.alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
#endif
