import Logging

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
    var text: String {
        var line = "\(self.time.rfc3339(fractionDigits: 3)) \(self.level.rawValue) \(self.label): \(self.message)"
        for key in self.metadata.keys.sorted() {
            guard let value = self.metadata[key] else { continue }
            let rendered = value.description
            let needsQuotes = rendered.isEmpty || rendered.contains { $0 == " " || $0 == "\"" || $0 == "=" }
            line += " \(key)=" + (needsQuotes ? JSONString.quoted(rendered) : rendered)
        }
        return line
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            line += JSONString.quoted(text)
        case .stringConvertible(let convertible):
            line += JSONString.quoted(convertible.description)
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
