@testable import Agent
import Logging
import Testing

@Suite("YAML, JSON and log line rendering")
struct RenderingTests {
    @Test(arguments: ["plain", "", "true", "8080", "a: b", "#x", "- x", " lead", "trail ", "::1", "x\ny", "tab\there", "null", "é"])
    func yamlStringsReadBackAsTheSameString(text: String) throws {
        let value = ConfigValue.object([.init("k", .string(text))])
        let root = try #require(try YAMLParser.parse(Array(value.renderYAML().utf8)))
        guard case .mapping(let pairs) = root.content, case .scalar(let scalar) = pairs[0].value.content else {
            Issue.record("unexpected shape")
            return
        }
        #expect(scalar.resolved == .string(text))
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSONString.quoted("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
    }

    @Test func jsonLogLineHasTheFieldsCollectorsExpect() {
        let record = LogRecord(
            time: UTCTimestamp(seconds: 1_764_196_460, nanoseconds: 123_456_789), level: .warning, label: "uservice",
            message: "say \"hi\"", metadata: ["b": "2", "a": ["x": "1"], "list": ["p", "q"]])
        #expect(
            record.json
                == #"{"time":"2025-11-26T22:34:20.123Z","level":"warning","logger":"uservice","message":"say \"hi\"","a":{"x":"1"},"b":"2","list":["p","q"]}"#)
        #expect(record.text == #"2025-11-26T22:34:20.123Z warning uservice: say "hi" a="[\"x\": \"1\"]" b=2 list="[\"p\", \"q\"]""#)
    }

    @Test func rfc3339() {
        #expect(UTCTimestamp(seconds: 0).rfc3339() == "1970-01-01T00:00:00Z")
        #expect(UTCTimestamp(seconds: 951_782_400, nanoseconds: 5_000_000).rfc3339(fractionDigits: 3) == "2000-02-29T00:00:00.005Z")
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "prot", among: ["address", "port"]) == "port")
        #expect(Suggestion.closest(to: "shutdown_timeout", among: ["drainDelay", "shutdownTimeout"]) == "shutdownTimeout")
        #expect(Suggestion.closest(to: "tls", among: ["address", "port"]) == nil)
    }
}
