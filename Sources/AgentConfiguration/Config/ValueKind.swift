import UServiceSupport

/// How one kind of config value is read from YAML, written back, and described in the JSON Schema.
///
/// Decoding, the effective-config output and the schema all come from the same `ValueKind`,
/// so the validator and `uservice schema` cannot drift apart.
struct ValueKind<Value>: Sendable {
    /// The JSON Schema keywords for the value (`type`, `minimum`, `pattern`...).
    var schema: [ConfigValue.Member]
    /// Reads the value, reporting problems to the context; nil when the node is not valid.
    var decode: @Sendable (YAMLNode, ConfigDecodingContext) -> Value?
    /// The value as it appears in the effective config.
    var encode: @Sendable (Value) -> ConfigValue
}

extension ValueKind where Value == String {
    /// A non-empty string that passes `isValid`, then `problem` (a more specific message for a
    /// text of the right form that is still wrong); `pattern` is the same rule as a JSON Schema
    /// regex.
    static func text(
        _ expected: String,
        pattern: String? = nil,
        isValid: @escaping @Sendable (String) -> Bool = { _ in true },
        problem: @escaping @Sendable (String) -> ConfigProblem? = { _ in nil }
    ) -> ValueKind {
        var schema: [ConfigValue.Member] = [.init("type", .string("string")), .init("minLength", .integer(1))]
        if let pattern { schema.append(.init("pattern", .string(pattern))) }
        return ValueKind(
            schema: schema,
            decode: { node, context in
                guard let text = node.string(expected: expected, context: context, hintQuoting: true) else {
                    return nil
                }
                guard !text.isEmpty, isValid(text) else {
                    context.report(.invalidText(text, expected: expected), at: node.mark)
                    return nil
                }
                if let problem = problem(text) {
                    context.report(problem, at: node.mark)
                    return nil
                }
                return text
            },
            encode: { .string($0) }
        )
    }

    /// Any non-empty string.
    static let nonEmpty = text("a non-empty string")

    /// An absolute file system path.
    static let absolutePath = text("an absolute path", pattern: "^/") { $0.hasPrefix("/") }

    /// An `https://host[:port]` URL: the agent never talks to the Kubernetes API without TLS.
    /// A host of four numbers must be an IPv4 address (``DottedQuad``).
    static let httpsURL = text(
        "an https:// URL",
        pattern: "^https://(?!(?:[^/?#]*@)?\(DottedQuad.schemaPattern)(?::[^/?#]*)?/?$)[^/?#]+/?$",
        isValid: { text in
            guard text.hasPrefix("https://") else { return false }
            var authority = text.dropFirst("https://".count)
            if authority.last == "/" { authority = authority.dropLast() }
            return !authority.isEmpty && !authority.contains { "/?#".contains($0) }
        },
        problem: { text in
            // The host: after any user info, before any port; a bracketed IPv6 host has none.
            var authority = text.dropFirst("https://".count)
            if authority.last == "/" { authority = authority.dropLast() }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            return DottedQuad.problem(host: authority.prefix { $0 != ":" })
        }
    )

    /// An IP address or host name to listen on; four numbers must be an IPv4 address.
    static let listenAddress = text(
        "an IP address or host name",
        pattern: "^(?!\(DottedQuad.schemaPattern)$)[0-9A-Za-z.:%-]+$",
        isValid: { text in
            text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".:%-".contains($0)) }
        },
        problem: { DottedQuad.problem(host: Substring($0)) }
    )
}

extension ValueKind where Value == Int {
    /// A TCP port; 0 lets the system pick a free one.
    static let port = integer(in: 0...65535, expected: "a port number", what: "port")

    static func integer(in range: ClosedRange<Int>, expected: String, what: String) -> ValueKind {
        ValueKind(
            schema: [
                .init("type", .string("integer")),
                .init("minimum", .integer(range.lowerBound)),
                .init("maximum", .integer(range.upperBound)),
            ],
            decode: { node, context in
                guard case .scalar(let scalar) = node.content, case .integer(let parsed) = scalar.resolved else {
                    context.report(.typeMismatch(expected: expected, found: node.kindDescription), at: node.mark)
                    return nil
                }
                guard let value = parsed, range.contains(value) else {
                    context.report(.outOfRange(scalar.text, range: range, what: what), at: node.mark)
                    return nil
                }
                return value
            },
            encode: { .integer($0) }
        )
    }
}

extension ValueKind where Value == Bool {
    static let bool = ValueKind(
        schema: [.init("type", .string("boolean"))],
        decode: { node, context in
            guard case .scalar(let scalar) = node.content, case .bool(let value) = scalar.resolved else {
                context.report(.typeMismatch(expected: "true or false", found: node.kindDescription), at: node.mark)
                return nil
            }
            return value
        },
        encode: { .bool($0) }
    )
}

extension ValueKind where Value == ConfigDuration {
    /// A duration such as `250ms`, `5s` or `1m30s`.
    static let duration = ValueKind(
        schema: [.init("type", .string("string")), .init("pattern", .string("^([0-9]+(ms|s|m|h))+$"))],
        decode: { node, context in
            guard let text = node.string(expected: "a duration such as \"5s\"", context: context) else { return nil }
            do throws(ConfigDuration.FormatError) {
                return try ConfigDuration(parsing: text)
            } catch {
                context.report(.invalidDuration(text, error), at: node.mark)
                return nil
            }
        },
        encode: { .string($0.description) }
    )
}

extension ValueKind where Value: CaseIterable & RawRepresentable & Sendable, Value.RawValue == String {
    /// One of a fixed set of names.
    static var choice: ValueKind {
        let names = Value.allCases.map(\.rawValue)
        return ValueKind(
            schema: [.init("enum", .array(names.map { .string($0) }))],
            decode: { node, context in
                let expected = "one of " + names.joined(separator: ", ")
                guard let text = node.string(expected: expected, context: context) else { return nil }
                guard let value = Value(rawValue: text) else {
                    let suggestion = Suggestion.closest(to: text, among: names)
                    context.report(.invalidChoice(text, choices: names, suggestion: suggestion), at: node.mark)
                    return nil
                }
                return value
            },
            encode: { .string($0.rawValue) }
        )
    }
}

extension ValueKind {
    /// A list of values; `null` or an empty value reads as an empty list.
    static func list<Element>(of element: ValueKind<Element>) -> ValueKind where Value == [Element] {
        ValueKind(
            schema: [
                .init("type", .array([.string("array"), .string("null")])),
                .init("items", .object(element.schema)),
            ],
            decode: { node, context in
                if node.isNull { return [] }
                guard case .sequence(let items) = node.content else {
                    context.report(.typeMismatch(expected: "a list", found: node.kindDescription), at: node.mark)
                    return nil
                }
                let values = items.map { element.decode($0, context) }
                return values.contains { $0 == nil } ? nil : values.compactMap { $0 }
            },
            encode: { .array($0.map(element.encode)) }
        )
    }

    /// A list of at least one value.
    static func nonEmptyList<Element>(of element: ValueKind<Element>) -> ValueKind where Value == [Element] {
        let list = ValueKind.list(of: element)
        return ValueKind(
            schema: [
                .init("type", .string("array")), .init("items", .object(element.schema)),
                .init("minItems", .integer(1)),
            ],
            decode: { node, context in
                guard let values = list.decode(node, context) else { return nil }
                guard !values.isEmpty else {
                    context.report(
                        .typeMismatch(expected: "a list of at least one item", found: "an empty list"), at: node.mark)
                    return nil
                }
                return values
            },
            encode: list.encode
        )
    }

    /// A value that may be left out with `null`.
    static func optional<Wrapped>(_ wrapped: ValueKind<Wrapped>) -> ValueKind where Value == Wrapped? {
        var schema = wrapped.schema
        if let index = schema.firstIndex(where: { $0.key == "type" }), case .string(let type) = schema[index].value {
            schema[index].value = .array([.string(type), .string("null")])
        }
        return ValueKind(
            schema: schema,
            decode: { node, context in
                if node.isNull { return .some(nil) }
                guard let value = wrapped.decode(node, context) else { return nil }
                return .some(value)
            },
            encode: { $0.map(wrapped.encode) ?? .null }
        )
    }
}

extension YAMLNode {
    /// The node's text when it is a string scalar; otherwise reports a type mismatch.
    ///
    /// A plain `8080` or `true` is not a string: YAML reads it as a number or boolean. With
    /// `hintQuoting`, for settings that take free text, the message says to quote it.
    fileprivate func string(
        expected: String,
        context: ConfigDecodingContext,
        hintQuoting: Bool = false
    ) -> String? {
        if case .scalar(let scalar) = self.content {
            if case .string(let text) = scalar.resolved { return text }
            if hintQuoting, scalar.resolved != .null {
                let found = "\(self.kindDescription) (quote it to use it as text: \"\(scalar.text)\")"
                context.report(.typeMismatch(expected: expected, found: found), at: self.mark)
                return nil
            }
        }
        context.report(.typeMismatch(expected: expected, found: self.kindDescription), at: self.mark)
        return nil
    }
}
