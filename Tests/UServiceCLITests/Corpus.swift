import Foundation

/// The sample configs under `Corpus/`: `invalid/` files end with `# expect: LINE:COLUMN: error: MESSAGE`
/// lines naming every diagnostic `uservice parse` must print; `valid/` files must parse.
enum Corpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func files(_ kind: String) -> [String] {
        let directory = self.folder.appendingPathComponent(kind).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func directory(_ kind: String) -> String {
        self.folder.appendingPathComponent(kind).path
    }

    /// The diagnostics an invalid sample declares, as `uservice parse` prints them for `name`.
    static func expectedDiagnostics(of name: String) throws -> [String] {
        let data = try Data(contentsOf: self.folder.appendingPathComponent("invalid").appendingPathComponent(name))
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# expect: ") ? "\(name):" + line.dropFirst("# expect: ".count) : nil
        }
    }
}
