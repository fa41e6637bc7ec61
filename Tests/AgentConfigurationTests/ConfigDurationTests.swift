import AgentConfiguration
import Testing

@Suite("durations")
struct ConfigDurationTests {
    @Test(arguments: [
        ("0s", 0), ("250ms", 250), ("5s", 5000), ("1m", 60_000), ("1m30s", 90_000), ("2h", 7_200_000),
        ("1h1m1s1ms", 3_661_001), ("90s", 90_000),
    ])
    func parses(text: String, milliseconds: Int) throws {
        #expect(try ConfigDuration(parsing: text).milliseconds == milliseconds)
    }

    @Test(arguments: [
        ("", ConfigDuration.FormatError.empty),
        ("-1s", .negative),
        ("1.5s", .fractional),
        ("5", .missingUnit(after: "5")),
        ("5x", .unknownUnit("x")),
        ("5 s", .unknownUnit(" s")),
        ("s", .missingNumber(unit: "s")),
        ("99999999999999999999h", .tooLarge),
        ("9999999999999999h", .tooLarge),
    ])
    func rejects(text: String, error: ConfigDuration.FormatError) {
        #expect(throws: error) { try ConfigDuration(parsing: text) }
    }

    @Test(arguments: [0, 1, 999, 1000, 1500, 60_000, 90_000, 3_600_000, 3_661_001])
    func descriptionParsesBack(milliseconds: Int) throws {
        let duration = ConfigDuration(milliseconds: milliseconds)
        #expect(try ConfigDuration(parsing: duration.description) == duration)
    }

    @Test func shortestForm() {
        #expect(ConfigDuration(milliseconds: 90_000).description == "1m30s")
        #expect(ConfigDuration(milliseconds: 1500).description == "1s500ms")
        #expect(ConfigDuration(milliseconds: 0).description == "0s")
        #expect(ConfigDuration.seconds(5).duration == .seconds(5))
    }
}
