import Foundation
import Testing

@Suite("docs/configuration.md")
struct DocumentationTests {
    @Test("the configuration reference in docs/configuration.md lists every setting the schema has")
    func configReferenceIsComplete() throws {
        let referenceURL = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs").appendingPathComponent("configuration.md")
        let reference = try String(contentsOf: referenceURL, encoding: .utf8)
        let schema = try UServiceBinary.run(["schema"])
        let root = try #require(JSONSerialization.jsonObject(with: Data(schema.standardOutput.utf8)) as? [String: Any])
        let sections = try #require(root["properties"] as? [String: [String: Any]])
        for (section, description) in sections {
            let settings = description["properties"] as? [String: Any]
            let paths = settings.map { $0.keys.map { "\(section).\($0)" } } ?? [section]
            for path in paths {
                #expect(
                    reference.contains("`\(path)`"), "docs/configuration.md's configuration reference lacks \(path)")
            }
        }
    }
}
