import Foundation

/// The sample configs under `Corpus/`: `invalid/` files end with `# expect: LINE:COLUMN: error: MESSAGE`
/// lines naming every diagnostic `uservice parse` must print; `valid/` files must parse.
/// A first line `# build: kafka` or `# build: default` limits a sample to one kind of build.
enum Corpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// The samples of `kind` for this build: a file whose first line is `# build: kafka` is only
    /// for a build with the Kafka trait, `# build: default` only for one without it.
    static func files(_ kind: String) -> [String] {
        let directory = self.folder.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            guard name.hasSuffix(".yaml"),
                let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
            else { return false }
            let firstLine = String(decoding: data.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            switch firstLine {
            case "# build: kafka": return self.kafkaBuild
            case "# build: default": return !self.kafkaBuild
            default: return true
            }
        }.sorted()
    }

    /// Whether these tests run against a build with the Kafka trait.
    static var kafkaBuild: Bool {
        #if Kafka
        true
        #else
        false
        #endif
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
