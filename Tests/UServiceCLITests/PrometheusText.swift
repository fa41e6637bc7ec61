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
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Problem(line: number, text: line, reason: "bad TYPE")
                    }
                    guard self.types[parts[2]] == nil else { throw Problem(line: number, text: line, reason: "TYPE twice") }
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
                guard let close = rest.firstIndex(of: "}") else { throw Problem(line: number, text: line, reason: "no }") }
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let keyValue = pair.split(separator: "=", maxSplits: 1)
                    guard keyValue.count == 2, isName(String(keyValue[0])), keyValue[1].hasPrefix("\""),
                        keyValue[1].hasSuffix("\""), keyValue[1].count >= 2
                    else { throw Problem(line: number, text: line, reason: "bad label") }
                    labels[String(keyValue[0])] = String(keyValue[1].dropFirst().dropLast())
                }
                rest = rest[rest.index(after: close)...]
            }
            let valueText = rest.trimmingCharacters(in: .whitespaces)
            guard isName(name), rest.first == " ", let value = Double(valueText.replacingOccurrences(of: "+Inf", with: "inf")) else {
                throw Problem(line: number, text: line, reason: "bad sample")
            }
            let family = ["_bucket", "_sum", "_count"].reduce(name) { family, suffix in
                family.hasSuffix(suffix) && self.types[String(family.dropLast(suffix.count))] == "histogram"
                    ? String(family.dropLast(suffix.count)) : family
            }
            guard self.types[family] != nil else { throw Problem(line: number, text: line, reason: "sample without TYPE") }
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
