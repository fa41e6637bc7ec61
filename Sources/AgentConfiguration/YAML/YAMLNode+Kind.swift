extension YAMLNode {
    /// What kind of value the node is, for error messages: "a string", "a list", "a mapping".
    public var kindDescription: String {
        switch self.content {
        case .scalar(let scalar): scalar.resolved.kindDescription
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// True for an empty plain scalar or `null`/`~`: YAML's way to leave a value out.
    public var isNull: Bool {
        guard case .scalar(let scalar) = self.content else { return false }
        return scalar.resolved == .null
    }
}
