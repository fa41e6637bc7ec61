import Foundation
import Testing

@Suite("README")
struct DocumentationTests {
    @Test("the configuration reference lists every setting the schema has")
    func configReferenceIsComplete() throws {
        let readmeURL = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        let schema = try UServiceBinary.run(["schema"])
        let root = try #require(JSONSerialization.jsonObject(with: Data(schema.standardOutput.utf8)) as? [String: Any])
        let sections = try #require(root["properties"] as? [String: [String: Any]])
        for (section, description) in sections {
            let settings = description["properties"] as? [String: Any]
            let paths = settings.map { $0.keys.map { "\(section).\($0)" } } ?? [section]
            for path in paths {
                #expect(readme.contains("`\(path)`"), "README's configuration reference lacks \(path)")
            }
        }
    }
}
