import Testing

@testable import AgentConfiguration

/// What `uservice parse` prints as YAML reads back as the same values.
@Suite("YAML rendering")
struct YAMLRenderingTests {
    @Test(arguments: [
        "plain", "", "true", "8080", "a: b", "#x", "- x", " lead", "trail ", "::1", "x\ny", "tab\there", "null", "é",
    ])
    func yamlStringsReadBackAsTheSameString(text: String) throws {
        let value = ConfigValue.object([.init("k", .string(text))])
        let root = try #require(try YAMLParser.parse(Array(value.renderYAML().utf8)))
        guard case .mapping(let pairs) = root.content, case .scalar(let scalar) = pairs[0].value.content else {
            Issue.record("unexpected shape")
            return
        }
        #expect(scalar.resolved == .string(text))
    }
}
