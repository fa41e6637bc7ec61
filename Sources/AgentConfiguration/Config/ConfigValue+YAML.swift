import UServiceSupport

extension ConfigValue {
    /// Renders the value as block-style YAML that ``YAMLParser`` reads back to the same value.
    ///
    /// Strings stay plain when YAML would read them back as the same string, and are
    /// double-quoted otherwise.
    public func renderYAML() -> String {
        var output = ""
        switch self {
        case .object(let members) where !members.isEmpty:
            Self.writeMembers(members, to: &output, indent: 0)
        case .array(let items) where !items.isEmpty:
            Self.writeItems(items, to: &output, indent: 0)
        default:
            output.append(self.inlineYAML + "\n")
        }
        return output
    }

    private static func writeMembers(_ members: [Member], to output: inout String, indent: Int) {
        let padding = String(repeating: " ", count: indent)
        for member in members {
            output.append(padding + YAMLText.scalar(member.key) + ":")
            member.value.writeNested(to: &output, indent: indent + 2, nestedItemIndent: indent)
        }
    }

    private static func writeItems(_ items: [ConfigValue], to output: inout String, indent: Int) {
        let padding = String(repeating: " ", count: indent)
        for item in items {
            if case .object(let members) = item, !members.isEmpty {
                // `- first: value` with the other members aligned under `first`.
                var block = ""
                Self.writeMembers(members, to: &block, indent: indent + 2)
                output.append(padding + "- " + block.dropFirst(indent + 2))
            } else {
                output.append(padding + "-")
                item.writeNested(to: &output, indent: indent + 2, nestedItemIndent: indent + 2)
            }
        }
    }

    /// Writes a value after `key:` or `-`: inline when scalar or empty, else on the next lines.
    private func writeNested(to output: inout String, indent: Int, nestedItemIndent: Int) {
        switch self {
        case .object(let members) where !members.isEmpty:
            output.append("\n")
            Self.writeMembers(members, to: &output, indent: indent)
        case .array(let items) where !items.isEmpty:
            output.append("\n")
            Self.writeItems(items, to: &output, indent: nestedItemIndent)
        default:
            output.append(" " + self.inlineYAML + "\n")
        }
    }

    private var inlineYAML: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .string(let value): YAMLText.scalar(value)
        case .array: "[]"
        case .object: "{}"
        }
    }
}

/// Chooses between a plain and a double-quoted YAML scalar for a string.
enum YAMLText {
    static func scalar(_ text: String) -> String {
        self.isSafePlain(text) ? text : JSONString.quoted(text)
    }

    private static let indicators: Set<Character> = [
        "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]

    /// True when `text` written unquoted reads back as the same string.
    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        guard case .string = YAMLScalarValue(resolvingPlain: text) else { return false }
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        return printable && !self.indicators.contains(first) && first != " " && last != " " && last != ":"
            && !text.contains(": ") && !text.contains(" #")
    }
}
