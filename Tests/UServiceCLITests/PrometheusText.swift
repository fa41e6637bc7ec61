import Foundation

/// A strict reader of the Prometheus text exposition format 0.0.4, for checking `/metrics`.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Problem: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var reason: String
        var description: String { "line \(self.line): \(self.reason): \(self.text)" }
    }

    var types: [String: String] = [:]
    var samples: [Sample] = []

    /// Parses every line; fails on the first one that is not valid exposition text, on a
    /// sample whose family has no `# TYPE`, or on a TYPE given twice.
    init(_ text: String) throws {
        let namePattern = try NSRegularExpression(pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        func isName(_ name: String) -> Bool {
            namePattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = String(line)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["TYPE", "HELP"].contains(parts[1]), isName(parts[2]) else {
                    throw Problem(line: number, text: line, reason: "bad comment")
                }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else {
                        throw Problem(line: number, text: line, reason: "bad TYPE")
                    }
                    guard self.types[parts[2]] == nil else {
                        throw Problem(line: number, text: line, reason: "TYPE twice")
                    }
                    self.types[parts[2]] = parts[3]
                }
                continue
            }
            var name = ""
            var labels: [String: String] = [:]
            var rest = Substring(line)
            name = String(rest.prefix { $0 != "{" && $0 != " " })
            rest = rest.dropFirst(name.count)
            if rest.first == "{" {
                rest = rest.dropFirst()
                // name="value" pairs; values may hold any character, with \\, \" and \n escaped.
                while rest.first != "}" {
                    let key = String(rest.prefix { $0 != "=" })
                    rest = rest.dropFirst(key.count)
                    guard isName(key), rest.hasPrefix("=\"") else {
                        throw Problem(line: number, text: line, reason: "bad label")
                    }
                    rest = rest.dropFirst(2)
                    var value = ""
                    while let character = rest.first, character != "\"" {
                        rest = rest.dropFirst()
                        if character == "\\", let escaped = rest.first {
                            rest = rest.dropFirst()
                            value.append(escaped == "n" ? "\n" : escaped)
                        } else {
                            value.append(character)
                        }
                    }
                    guard rest.first == "\"" else {
                        throw Problem(line: number, text: line, reason: "unterminated label value")
                    }
                    rest = rest.dropFirst()
                    labels[key] = value
                    if rest.first == "," { rest = rest.dropFirst() }
                    guard !rest.isEmpty else { throw Problem(line: number, text: line, reason: "no }") }
                }
                rest = rest.dropFirst()
            }
            let valueText = rest.trimmingCharacters(in: .whitespaces)
            guard isName(name), rest.first == " ",
                let value = Double(valueText.replacingOccurrences(of: "+Inf", with: "inf"))
            else {
                throw Problem(line: number, text: line, reason: "bad sample")
            }
            let family = ["_bucket", "_sum", "_count"].reduce(name) { family, suffix in
                family.hasSuffix(suffix) && self.types[String(family.dropLast(suffix.count))] == "histogram"
                    ? String(family.dropLast(suffix.count)) : family
            }
            guard self.types[family] != nil else {
                throw Problem(line: number, text: line, reason: "sample without TYPE")
            }
            self.samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// The samples of one metric name whose labels include `labels`.
    func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
        self.samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }.map(\.value)
    }
}
