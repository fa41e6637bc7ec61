internal import Logging
internal import UServiceSupport

/// One log event ready to be written as a JSON or a text line.
struct LogRecord {
    var time: UTCTimestamp
    var level: Logger.Level
    var label: String
    var message: String
    var metadata: Logger.Metadata

    /// `{"time":"…","level":"info","logger":"…","message":"…",KEY:VALUE…}` with metadata keys sorted.
    var json: String {
        var line = "{\"time\":\"\(self.time.rfc3339(fractionDigits: 3))\",\"level\":\"\(self.level.rawValue)\""
        line += ",\"logger\":" + JSONString.quoted(self.label) + ",\"message\":" + JSONString.quoted(self.message)
        for key in self.metadata.keys.sorted() {
            guard let value = self.metadata[key] else { continue }
            line += "," + JSONString.quoted(key) + ":"
            Self.appendJSON(value, to: &line)
        }
        return line + "}"
    }

    /// `TIME LEVEL LABEL: message key=value…`, quoting values that contain spaces.
    ///
    /// Nothing a caller logs can break the line or forge another: the label, the message and
    /// every metadata key and value are escaped as JSON escapes strings, so one event is
    /// always one line:
    /// - `\` becomes `\\`; newline, carriage return and tab become `\n`, `\r` and `\t`;
    /// - every other control character (U+0000-U+001F, U+007F-U+009F, terminal escape
    ///   sequences included) and the Unicode line and paragraph separators (U+2028, U+2029)
    ///   become `\u` and four lowercase hex digits, e.g. `\u001b`;
    /// - a metadata value that is empty or contains a space, `"` or `=` is written in double
    ///   quotes, with `"` escaped as `\"`; elsewhere `"` stays as it is.
    ///
    /// The JSON format escapes the same control characters through ``JSONString``.
    var text: String {
        var line = "\(self.time.rfc3339(fractionDigits: 3)) \(self.level.rawValue) "
        Self.appendTextEscaped(self.label, to: &line)
        line += ": "
        Self.appendTextEscaped(self.message, to: &line)
        for key in self.metadata.keys.sorted() {
            guard let value = self.metadata[key] else { continue }
            let rendered = value.description
            let needsQuotes = rendered.isEmpty || rendered.contains { $0 == " " || $0 == "\"" || $0 == "=" }
            line += " "
            Self.appendTextEscaped(key, to: &line)
            line += "="
            if needsQuotes { line += "\"" }
            Self.appendTextEscaped(rendered, quoted: needsQuotes, to: &line)
            if needsQuotes { line += "\"" }
        }
        return line
    }

    /// Appends `text` with the escapes described at ``text``; `quoted` also escapes `"`.
    static func appendTextEscaped(_ text: String, quoted: Bool = false, to line: inout String) {
        // Most text needs no escape: append it whole.
        guard text.unicodeScalars.contains(where: { Self.needsTextEscape($0, quoted: quoted) }) else {
            line += text
            return
        }
        for scalar in text.unicodeScalars {
            guard Self.needsTextEscape(scalar, quoted: quoted) else {
                line.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\\": line += "\\\\"
            case "\"": line += "\\\""
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
        }
    }

    private static func needsTextEscape(_ scalar: Unicode.Scalar, quoted: Bool) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x5C: return true  // 0x5C: backslash
        case 0x22: return quoted  // "
        default: return false
        }
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            line += JSONString.quoted(text)
        case .stringConvertible(let convertible):
            // Numbers and booleans logged as values (not interpolated into strings) stay JSON
            // numbers and booleans, so a log pipeline can compare and sum them.
            switch convertible {
            case is any BinaryInteger, is Bool:
                line += convertible.description
            case let number as Double where number.isFinite:
                line += convertible.description
            default:
                line += JSONString.quoted(convertible.description)
            }
        case .array(let items):
            line += "["
            for (index, item) in items.enumerated() {
                if index > 0 { line += "," }
                self.appendJSON(item, to: &line)
            }
            line += "]"
        case .dictionary(let members):
            line += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                guard let member = members[key] else { continue }
                line += (index > 0 ? "," : "") + JSONString.quoted(key) + ":"
                self.appendJSON(member, to: &line)
            }
            line += "}"
        }
    }
}
