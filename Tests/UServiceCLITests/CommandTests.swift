import Foundation
import Testing

@Suite("uservice version, schema and start")
struct CommandTests {
    @Test("version prints text and JSON")
    func version() throws {
        let text = try UServiceBinary.run(["version"])
        #expect(text.status == 0)
        #expect(text.standardOutput.hasPrefix("uservice 0."))
        #expect(text.standardOutput.contains("libcurl "))

        let json = try UServiceBinary.run(["version", "--output", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect((object["version"] as? String)?.isEmpty == false)
        #expect((object["libyaml"] as? String)?.first?.isNumber == true)
        #expect(object["kafka"] as? Bool == Corpus.kafkaBuild)
        #expect(((object["librdkafka"] as? String)?.first?.isNumber ?? false) == Corpus.kafkaBuild)
    }

    @Test("schema is a JSON Schema that closes every section")
    func schema() throws {
        let result = try UServiceBinary.run(["schema"])
        #expect(result.status == 0)
        let schema = try #require(
            JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["additionalProperties"] as? Bool == false)
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        #expect((properties["kafka"] != nil) == Corpus.kafkaBuild)
        for section in ["service", "health", "server", "lifecycle", "kubernetes", "logging"] {
            #expect(properties[section]?["additionalProperties"] as? Bool == false, "\(section)")
        }
    }

    @Test("start refuses an invalid config with exit 1 and the positioned errors")
    func startInvalid() throws {
        let result = try UServiceBinary.run(
            ["start", "-c", "port-conflict.yaml"], workingDirectory: Corpus.directory("invalid"))
        #expect(result.status == 1)
        #expect(result.standardError == "port-conflict.yaml:4:9: error: port 9000 is already used by health.port\n")
    }
}
