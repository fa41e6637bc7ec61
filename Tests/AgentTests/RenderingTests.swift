import AgentConfiguration
import Foundation
import Logging
import Testing

@testable import Agent
@testable import UServiceSupport

@Suite("log line rendering")
struct RenderingTests {
    @Test func jsonLogLineHasTheFieldsCollectorsExpect() {
        let record = LogRecord(
            time: UTCTimestamp(seconds: 1_764_196_460, nanoseconds: 123_456_789), level: .warning, label: "uservice",
            message: "say \"hi\"", metadata: ["b": "2", "a": ["x": "1"], "list": ["p", "q"]])
        #expect(
            record.json
                == #"{"time":"2025-11-26T22:34:20.123Z","level":"warning","logger":"uservice","message":"say \"hi\"","a":{"x":"1"},"b":"2","list":["p","q"]}"#
        )
        #expect(
            record.text
                == #"2025-11-26T22:34:20.123Z warning uservice: say "hi" a="[\"x\": \"1\"]" b=2 list="[\"p\", \"q\"]""#)
    }

    /// A record whose every part (label, message, metadata keys and values, nested ones too)
    /// tries to end the line and forge another one.
    static let forgingRecord = LogRecord(
        time: UTCTimestamp(seconds: 1_764_196_460), level: .info, label: "plugin.evil\nx",
        message: "ok\n2025-11-26T22:34:20.000Z error uservice: forged\r\u{1B}[2J\u{85}\u{2028}end\\",
        metadata: [
            "error": "500 Internal\nError: \"x\"\u{0}", "plain": "a\nb", "key\n": "v",
            "nested": ["k\n": ["line\r\n", "\u{1B}"]],
        ])

    @Test func textLogLinesEscapeControlCharacters() {
        let line = Self.forgingRecord.text
        #expect(
            !line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" })
        var flat = Self.forgingRecord
        flat.metadata["nested"] = nil
        #expect(
            flat.text
                == #"2025-11-26T22:34:20.000Z info plugin.evil\nx: ok\n2025-11-26T22:34:20.000Z error uservice: forged\r\u001b[2J\u0085\u2028end\\ error="500 Internal\nError: \"x\"\u0000" key\n=v plain=a\nb"#
        )
        // Quotes stay readable where nothing needs them; a value with `=` or a space is quoted.
        let quotes = LogRecord(
            time: UTCTimestamp(seconds: 0), level: .debug, label: "l", message: #"say "hi" C:\tmp"#,
            metadata: ["a": "x=y"])
        #expect(quotes.text == #"1970-01-01T00:00:00.000Z debug l: say "hi" C:\\tmp a="x=y""#)
    }

    @Test func jsonLogLinesEscapeControlCharacters() throws {
        let line = Self.forgingRecord.json
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(
            line
                == #"{"time":"2025-11-26T22:34:20.000Z","level":"info","logger":"plugin.evil\nx","message":"ok\n2025-11-26T22:34:20.000Z error uservice: forged\r\u001b[2J\#u{85}\#u{2028}end\\","error":"500 Internal\nError: \"x\"\u0000","key\n":"v","nested":{"k\n":["line\r\n","\u001b"]},"plain":"a\nb"}"#
        )
        // And a JSON reader gets the original text back.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == Self.forgingRecord.message)
        #expect(object["logger"] as? String == "plugin.evil\nx")
        #expect(object["error"] as? String == "500 Internal\nError: \"x\"\u{0}")
    }

}
