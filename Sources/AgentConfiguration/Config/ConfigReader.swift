import UServiceSupport

/// Reads the settings of one config section from a YAML mapping.
///
/// A reader works in one of two modes. *Decoding* reads a file: each setting's value, or its
/// default when absent, with problems and positions reported to the context. *Describing*
/// reads nothing and returns every default; it exists so the same section code yields the
/// defaults and the JSON Schema. In both modes the reader collects the effective values and
/// the schema's properties as settings are read.
struct ConfigReader {
    private let context: ConfigDecodingContext?
    /// The dotted path of this section (`health`), empty at the top level.
    let path: String
    private var entries: [String: YAMLPair] = [:]
    /// Where the mapping starts, for problems about keys it lacks.
    private var mark = SourceMark.start
    /// True when the mapping is absent, null or not a mapping, so missing keys are not reported.
    private var isNullMapping = true
    private var entryOrder: [String] = []
    private var knownKeys: [String] = []
    /// The section's values with defaults filled in, in the order the section reads them.
    private(set) var effective: [ConfigValue.Member] = []
    private var properties: [ConfigValue.Member] = []
    private var requiredKeys: [String] = []

    /// A reader that returns defaults and records the schema.
    static func describing() -> ConfigReader {
        ConfigReader(context: nil, path: "")
    }

    /// A reader over the mapping `node` (nil or null: all defaults) at dotted `path`.
    init(mapping node: YAMLNode?, path: String, context: ConfigDecodingContext) {
        self.init(context: context, path: path)
        guard let node, !node.isNull else { return }
        guard case .mapping(let pairs) = node.content else {
            context.report(.typeMismatch(expected: "a mapping", found: node.kindDescription), at: node.mark)
            return
        }
        self.mark = node.mark
        self.isNullMapping = false
        for pair in pairs {
            guard case .scalar(let scalar) = pair.key.content, pair.key.isNull == false else {
                context.report(.nonStringKey(found: pair.key.kindDescription), at: pair.key.mark)
                continue
            }
            if let first = self.entries[scalar.text] {
                context.report(.duplicateKey(scalar.text, first: first.key.mark), at: pair.key.mark)
                continue
            }
            self.entries[scalar.text] = pair
            self.entryOrder.append(scalar.text)
        }
    }

    private init(context: ConfigDecodingContext?, path: String) {
        self.context = context
        self.path = path
    }

    /// Reads one setting, falling back to `defaultValue` when it is absent or invalid.
    mutating func read<Value>(
        _ key: String, _ kind: ValueKind<Value>, default defaultValue: Value, _ doc: String
    )
        -> Value
    {
        var value = defaultValue
        if let context, let node = self.take(key) {
            context.record(self.childPath(key), at: node.mark)
            value = kind.decode(node, context) ?? defaultValue
        }
        let schema = kind.schema + [.init("description", .string(doc)), .init("default", kind.encode(defaultValue))]
        self.properties.append(.init(key, .object(schema)))
        self.effective.append(.init(key, kind.encode(value)))
        return value
    }

    /// Reads a setting the section cannot do without; when absent it is reported and `placeholder` returned.
    mutating func require<Value>(_ key: String, _ kind: ValueKind<Value>, placeholder: Value, _ doc: String) -> Value {
        self.requiredKeys.append(key)
        if let context, self.entries[key] == nil, !self.isNullMapping {
            let section = self.path.isEmpty ? nil : self.path
            context.report(.missingKey(key, section: section), at: self.mark)
        }
        let value = self.read(key, kind, default: placeholder, doc)
        if let index = self.properties.lastIndex(where: { $0.key == key }),
            case .object(var schema) = self.properties[index].value
        {
            schema.removeAll { $0.key == "default" }
            self.properties[index].value = .object(schema)
        }
        return value
    }

    /// Reads a list of sections, each with `body`; `null` or absent is an empty list.
    mutating func list<Value>(_ key: String, _ doc: String, _ body: (inout ConfigReader) -> Value) -> [Value] {
        var values: [Value] = []
        var items: [ConfigValue] = []
        if let context, let node = self.take(key), !node.isNull {
            context.record(self.childPath(key), at: node.mark)
            if case .sequence(let elements) = node.content {
                for (index, element) in elements.enumerated() {
                    var child = ConfigReader(
                        mapping: element, path: "\(self.childPath(key))[\(index)]", context: context)
                    values.append(body(&child))
                    child.reportUnknownKeys()
                    items.append(.object(child.effective))
                }
            } else {
                context.report(.typeMismatch(expected: "a list", found: node.kindDescription), at: node.mark)
            }
        }
        var described = ConfigReader(context: nil, path: self.childPath(key))
        _ = body(&described)
        let itemSchema = described.schema(description: nil, nullable: false)
        self.properties.append(
            .init(
                key,
                .object([
                    .init("type", .array([.string("array"), .string("null")])),
                    .init("description", .string(doc)),
                    .init("items", itemSchema),
                    .init("default", .array([])),
                ])))
        self.effective.append(.init(key, .array(items)))
        return values
    }

    /// Reads a nested section with `body`, then reports the keys `body` did not read.
    mutating func section<Value>(_ key: String, _ doc: String, _ body: (inout ConfigReader) -> Value) -> Value {
        var child: ConfigReader
        if let context {
            let node = self.take(key)
            child = ConfigReader(mapping: node, path: self.childPath(key), context: context)
        } else {
            child = ConfigReader(context: nil, path: self.childPath(key))
        }
        let value = body(&child)
        child.reportUnknownKeys()
        self.properties.append(.init(key, child.schema(description: doc)))
        self.effective.append(.init(key, .object(child.effective)))
        return value
    }

    /// Reads a section that is off unless the file has it: nil when the key is absent or null.
    /// Describing, it records the section's schema and returns nil.
    mutating func optionalSection<Value>(_ key: String, _ doc: String, _ body: (inout ConfigReader) -> Value) -> Value?
    {
        if let context, let node = self.entries[key]?.value, !node.isNull {
            context.record(self.childPath(key), at: node.mark)
            return self.section(key, doc, body)
        }
        _ = self.take(key)
        var described = ConfigReader(context: nil, path: self.childPath(key))
        _ = body(&described)
        guard case .object(var schema) = described.schema(description: doc) else { return nil }
        schema.append(.init("default", .null))
        self.properties.append(.init(key, .object(schema)))
        self.effective.append(.init(key, .null))
        return nil
    }

    /// Rejects a section that this build cannot use (such as `kafka` without the Kafka trait).
    mutating func rejectUnsupported(_ key: String, feature: String) {
        if let context, let pair = self.entries[key] {
            _ = self.take(key)
            context.report(.unsupportedInBuild(key: key, feature: feature), at: pair.key.mark)
        }
    }

    /// Reports a problem at the first of `paths` (dotted, from the top) that the file sets.
    func report(_ problem: ConfigProblem, atFirstOf paths: [String]) {
        guard let context else { return }
        let mark = paths.lazy.compactMap { context.mark(of: $0) }.first ?? .start
        context.report(problem, at: mark)
    }

    /// Reports every key of the mapping that no `read` or `section` call asked for.
    func reportUnknownKeys() {
        guard let context else { return }
        for key in self.entryOrder where !self.knownKeys.contains(key) {
            guard let pair = self.entries[key] else { continue }
            let suggestion = Suggestion.closest(to: key, among: self.knownKeys)
            let section = self.path.isEmpty ? nil : self.path
            context.report(.unknownKey(key, section: section, suggestion: suggestion), at: pair.key.mark)
        }
    }

    /// The JSON Schema of this section: an object (or, when `nullable`, null) with exactly the properties read.
    func schema(description: String?, nullable: Bool = true) -> ConfigValue {
        let type: ConfigValue = nullable ? .array([.string("object"), .string("null")]) : .string("object")
        var members: [ConfigValue.Member] = [.init("type", type)]
        if let description { members.append(.init("description", .string(description))) }
        members.append(.init("additionalProperties", .bool(false)))
        if !self.requiredKeys.isEmpty {
            members.append(.init("required", .array(self.requiredKeys.map { .string($0) })))
        }
        members.append(.init("properties", .object(self.properties)))
        return .object(members)
    }

    private mutating func take(_ key: String) -> YAMLNode? {
        self.knownKeys.append(key)
        return self.entries[key]?.value
    }

    private func childPath(_ key: String) -> String {
        self.path.isEmpty ? key : "\(self.path).\(key)"
    }
}
