import UServiceSupport

extension ConfigValue {
    /// Renders the value as JSON, indented by two spaces per level, keys in order.
    public func renderJSON() -> String {
        var output = ""
        self.writeJSON(to: &output, indent: 0)
        output.append("\n")
        return output
    }

    private func writeJSON(to output: inout String, indent: Int) {
        switch self {
        case .null:
            output.append("null")
        case .bool(let value):
            output.append(value ? "true" : "false")
        case .integer(let value):
            output.append(String(value))
        case .string(let value):
            output.append(JSONString.quoted(value))
        case .array(let items):
            guard !items.isEmpty else { return output.append("[]") }
            output.append("[\n")
            for (index, item) in items.enumerated() {
                output.append(String(repeating: " ", count: indent + 2))
                item.writeJSON(to: &output, indent: indent + 2)
                output.append(index == items.count - 1 ? "\n" : ",\n")
            }
            output.append(String(repeating: " ", count: indent) + "]")
        case .object(let members):
            guard !members.isEmpty else { return output.append("{}") }
            output.append("{\n")
            for (index, member) in members.enumerated() {
                output.append(String(repeating: " ", count: indent + 2))
                output.append(JSONString.quoted(member.key) + ": ")
                member.value.writeJSON(to: &output, indent: indent + 2)
                output.append(index == members.count - 1 ? "\n" : ",\n")
            }
            output.append(String(repeating: " ", count: indent) + "}")
        }
    }
}
