/// A YAML node with the position it starts at, as read by ``YAMLParser``.
///
/// Aliases are resolved into copies of their anchored node, so the tree has no references.
public struct YAMLNode: Sendable, Equatable {
    /// What a node holds.
    public enum Content: Sendable, Equatable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var mark: SourceMark

    public init(_ content: Content, at mark: SourceMark) {
        self.content = content
        self.mark = mark
    }
}

/// A scalar's text and whether YAML's plain-scalar type resolution applies to it.
public struct YAMLScalar: Sendable, Equatable {
    /// The scalar's text after YAML unescaping and folding.
    public var text: String
    /// True for an unquoted scalar without an explicit tag: `8080` is then an integer and `true` a boolean.
    /// Quoted, block and tagged scalars are always strings.
    public var isPlain: Bool

    public init(text: String, isPlain: Bool) {
        self.text = text
        self.isPlain = isPlain
    }

    /// The value this scalar stands for under the YAML 1.2 core schema.
    public var resolved: YAMLScalarValue {
        self.isPlain ? YAMLScalarValue(resolvingPlain: self.text) : .string(self.text)
    }
}

/// One key/value pair of a mapping, in source order.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
