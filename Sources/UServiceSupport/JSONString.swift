/// JSON string literal encoding, shared by every JSON writer in the agent.
///
/// `"` and `\` are escaped with a backslash; newline, carriage return and tab become `\n`,
/// `\r` and `\t`; every other byte below 0x20, and DEL (0x7F), becomes `\u00XX` (lowercase
/// hex). So no text, whoever wrote it (a plugin's log line, an API server's error), can end a
/// JSON log line or record early and forge another. Other characters are written as they are:
/// RFC 8259 allows them in strings, and JSON-lines readers split on newline bytes only.
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
        let maxBytes = Self.maxEscapedBytes(text)
        var text = text
        let escaped = text.withUTF8 { bytes in
            Self.needsEscaping(bytes) ? String(writingUpTo: maxBytes) { Self.escape(bytes, to: &$0) } : nil
        }
        output.append(escaped ?? text)
    }

    /// The most bytes `text` takes escaped: six (`\u001f`) for every byte.
    package static func maxEscapedBytes(_ text: String) -> Int {
        text.utf8.count * 6
    }

    /// Writes `text` escaped for the inside of a JSON string literal, at most
    /// ``maxEscapedBytes(_:)`` bytes.
    package static func writeEscaped(_ text: String, to writer: inout UnsafeByteWriter) {
        var text = text
        text.withUTF8 { bytes in
            guard Self.needsEscaping(bytes) else { return writer.append(UnsafeRawBufferPointer(bytes)) }
            Self.escape(bytes, to: &writer)
        }
    }

    /// Escapes byte by byte: every byte that needs an escape is ASCII, and UTF-8 never uses
    /// ASCII bytes inside a multi-byte character.
    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, to writer: inout UnsafeByteWriter) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                writer.append(byte: UInt8(ascii: "\\"))
                writer.append(byte: byte)
            case UInt8(ascii: "\n"): writer.append("\\n")
            case UInt8(ascii: "\r"): writer.append("\\r")
            case UInt8(ascii: "\t"): writer.append("\\t")
            case 0..<0x20, 0x7F:
                writer.append("\\u00")
                writer.append(byte: Self.hexDigit(byte >> 4))
                writer.append(byte: Self.hexDigit(byte & 0xF))
            default:
                writer.append(byte: byte)
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    private static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }
    }
}
