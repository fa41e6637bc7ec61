import NIOCore

/// JSON string literal encoding, shared by every JSON writer in the agent.
public enum JSONString {
    /// `text` as a quoted JSON string with `"`, `\` and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var output = "\""
        self.appendEscaped(text, to: &output)
        output.append("\"")
        return output
    }

    /// Appends `text` escaped for the inside of a JSON string literal.
    public static func appendEscaped(_ text: String, to output: inout String) {
        // Most text (check names, outputs, paths) needs no escape: append it whole.
        guard Self.needsEscaping(text) else {
            output.append(text)
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
    }

    /// Writes `text` escaped for the inside of a JSON string literal into `buffer`.
    public static func writeEscaped(_ text: String, to buffer: inout ByteBuffer) {
        guard Self.needsEscaping(text) else {
            buffer.writeString(text)
            return
        }
        var escaped = ""
        Self.appendEscaped(text, to: &escaped)
        buffer.writeString(escaped)
    }

    private static func needsEscaping(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }
    }
}
