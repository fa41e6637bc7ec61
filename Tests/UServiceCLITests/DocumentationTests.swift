import Foundation
import Testing

/// The configuration reference (docs/configuration.md) against the schema the binary prints,
/// which is generated from the code that validates: the same settings both ways, with the
/// same defaults.
@Suite("docs/configuration.md")
struct DocumentationTests {
    /// A setting's dotted path (`health.tickers[].margin`) and its schema default, if any.
    typealias Settings = [String: Any?]

    @Test(
        "the reference has a row for every setting, no row for a setting that does not exist, and the schema's defaults"
    )
    func configReferenceMatchesTheSchema() throws {
        let referenceURL = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs").appendingPathComponent("configuration.md")
        let rows = Self.rows(of: try String(contentsOf: referenceURL, encoding: .utf8))
        let schema = try UServiceBinary.run(["schema"])
        let root = try #require(JSONSerialization.jsonObject(with: Data(schema.standardOutput.utf8)) as? [String: Any])
        var settings = Settings()
        Self.collect(root, under: "", into: &settings)
        #expect(settings.count > 30, "the schema walk found too little: \(settings.keys.sorted())")

        // Top-level sections are headings of the table, not rows.
        for path in settings.keys.sorted() where path.contains(".") {
            #expect(rows[path] != nil, "docs/configuration.md has no row for \(path)")
        }
        // A build without the Kafka trait has no `kafka` section in its schema.
        let kafkaInSchema = settings["kafka"] != nil
        for path in rows.keys.sorted() where kafkaInSchema || !path.hasPrefix("kafka") {
            #expect(settings[path] != nil, "docs/configuration.md documents \(path), which the schema does not have")
        }
        for (path, cell) in rows {
            guard let entry = settings[path], let schemaDefault = entry, let documented = Self.literal(cell) else {
                continue
            }
            #expect(Self.text(of: schemaDefault) == documented, "\(path): documented default \(documented)")
        }
    }

    /// Every setting below `node`: its properties, and those of the objects its lists hold.
    static func collect(_ node: [String: Any], under prefix: String, into settings: inout Settings) {
        if let properties = node["properties"] as? [String: [String: Any]] {
            for (key, child) in properties {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                settings[path] = .some(child["default"])
                Self.collect(child, under: path, into: &settings)
            }
        }
        if let items = node["items"] as? [String: Any], items["properties"] != nil {
            Self.collect(items, under: prefix + "[]", into: &settings)
        }
    }

    /// The table's rows: each backticked key of the first cell, with the row's default cell.
    static func rows(of markdown: String) -> [String: String] {
        var rows: [String: String] = [:]
        for line in markdown.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count > 3 else { continue }
            for key in cells[1].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter({
                $0.offset % 2 == 1
            }).map(\.element) {
                rows[String(key)] = cells[3]
            }
        }
        return rows
    }

    /// The literal of a default cell that is one backticked value (`10s`, `[livez]`); nil for
    /// prose ("required", "as for `health`") or an empty cell.
    static func literal(_ cell: String) -> String? {
        guard cell.hasPrefix("`"), cell.hasSuffix("`"), cell.count > 2,
            cell.dropFirst().dropLast().contains("`") == false
        else { return nil }
        return String(cell.dropFirst().dropLast())
    }

    /// A schema default as the reference writes it: `8080`, `true`, `10s`, `[livez]`.
    static func text(of value: Any) -> String {
        switch value {
        case let list as [Any]: "[" + list.map { Self.text(of: $0) }.joined(separator: ", ") + "]"
        // JSONSerialization gives true and false as NSNumbers of type char.
        case let number as NSNumber where String(cString: number.objCType) == "c": number.boolValue ? "true" : "false"
        case let number as NSNumber: number.stringValue
        default: "\(value)"
        }
    }
}
