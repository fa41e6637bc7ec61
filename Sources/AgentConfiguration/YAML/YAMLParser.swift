import CYaml

/// Reads one YAML document into a ``YAMLNode`` tree with libyaml, keeping every node's position.
public enum YAMLParser {
    /// The version of the libyaml the agent runs with.
    public static var libyamlVersion: String {
        String(cString: yaml_get_version_string())
    }

    /// How deeply collections may nest; deeper input is rejected rather than risking the stack.
    public static let maximumDepth = 64

    /// Parses a YAML stream.
    ///
    /// - Returns: the document's root node, or `nil` when the stream holds no document
    ///   (an empty file, or one with only comments).
    /// - Throws: ``YAMLSyntaxError`` for malformed YAML (with libyaml's position), invalid UTF-8,
    ///   more than one document, an unknown alias, or nesting deeper than ``maximumDepth``.
    public static func parse(_ bytes: [UInt8]) throws(YAMLSyntaxError) -> YAMLNode? {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLSyntaxError(mark: .start, message: "out of memory while starting the YAML parser")
        }
        defer { yaml_parser_delete(parser) }

        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLSyntaxError) -> YAMLNode? in
            if let offset = UTF8Check.firstInvalidOffset(in: buffer) {
                let byte = "0x" + String(buffer[offset], radix: 16, uppercase: true)
                throw YAMLSyntaxError(
                    mark: UTF8Check.mark(ofOffset: offset, in: buffer), message: "invalid UTF-8 (byte \(byte))")
            }
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var reader = EventReader(parser: parser, source: buffer)
            return try reader.readDocument()
        }
    }
}

/// One libyaml event, copied out of C memory.
private enum YAMLEvent {
    case streamStart
    case streamEnd
    case documentStart
    case documentEnd
    case scalar(YAMLScalar, anchor: String?)
    case sequenceStart(anchor: String?)
    case sequenceEnd
    case mappingStart(anchor: String?)
    case mappingEnd
    case alias(String)
}

/// Pulls events from libyaml and assembles them into nodes.
private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let source: UnsafeBufferPointer<UInt8>
    var anchors: [String: YAMLNode] = [:]

    mutating func readDocument() throws(YAMLSyntaxError) -> YAMLNode? {
        guard case .streamStart = try self.next().event else { throw self.unexpected(at: .start) }
        let (event, mark) = try self.next()
        switch event {
        case .streamEnd:
            return nil
        case .documentStart:
            break
        default:
            throw self.unexpected(at: mark)
        }
        let root = try self.readNode(self.next(), depth: 0)
        guard case .documentEnd = try self.next().event else { throw self.unexpected(at: root.mark) }
        let (after, afterMark) = try self.next()
        guard case .streamEnd = after else {
            throw YAMLSyntaxError(mark: afterMark, message: "expected a single YAML document, found another one")
        }
        return root
    }

    private mutating func readNode(
        _ start: (event: YAMLEvent, mark: SourceMark), depth: Int
    )
        throws(YAMLSyntaxError) -> YAMLNode
    {
        let (event, mark) = start
        let node: YAMLNode
        let anchor: String?
        switch event {
        case .scalar(let scalar, let scalarAnchor):
            node = YAMLNode(.scalar(scalar), at: mark)
            anchor = scalarAnchor
        case .alias(let name):
            guard var aliased = self.anchors[name] else {
                throw YAMLSyntaxError(mark: mark, message: "unknown alias \"*\(name)\"")
            }
            aliased.mark = mark
            return aliased
        case .sequenceStart(let sequenceAnchor):
            try Self.checkDepth(depth, at: mark)
            var items: [YAMLNode] = []
            while true {
                let item = try self.next()
                if case .sequenceEnd = item.event { break }
                items.append(try self.readNode(item, depth: depth + 1))
            }
            node = YAMLNode(.sequence(items), at: mark)
            anchor = sequenceAnchor
        case .mappingStart(let mappingAnchor):
            try Self.checkDepth(depth, at: mark)
            var pairs: [YAMLPair] = []
            while true {
                let key = try self.next()
                if case .mappingEnd = key.event { break }
                let keyNode = try self.readNode(key, depth: depth + 1)
                let valueNode = try self.readNode(self.next(), depth: depth + 1)
                pairs.append(YAMLPair(key: keyNode, value: valueNode))
            }
            node = YAMLNode(.mapping(pairs), at: mark)
            anchor = mappingAnchor
        default:
            throw self.unexpected(at: mark)
        }
        if let anchor { self.anchors[anchor] = node }
        return node
    }

    private static func checkDepth(_ depth: Int, at mark: SourceMark) throws(YAMLSyntaxError) {
        guard depth < YAMLParser.maximumDepth else {
            throw YAMLSyntaxError(mark: mark, message: "nesting is deeper than \(YAMLParser.maximumDepth) levels")
        }
    }

    private func unexpected(at mark: SourceMark) -> YAMLSyntaxError {
        YAMLSyntaxError(mark: mark, message: "unexpected YAML structure")
    }

    /// The next event and where it starts; throws libyaml's error when the input is malformed.
    private mutating func next() throws(YAMLSyntaxError) -> (event: YAMLEvent, mark: SourceMark) {
        var raw = yaml_event_t()
        guard yaml_parser_parse(self.parser, &raw) == 1 else { throw self.parserError() }
        defer { yaml_event_delete(&raw) }
        let mark = SourceMark(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1)
        return (Self.copy(raw), mark)
    }

    private static func copy(_ raw: yaml_event_t) -> YAMLEvent {
        switch raw.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.tag == nil
            return .scalar(YAMLScalar(text: text, isPlain: isPlain), anchor: string(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: string(raw.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: string(raw.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        case YAML_ALIAS_EVENT:
            return .alias(string(raw.data.alias.anchor) ?? "")
        default:
            return .streamEnd
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml's error as a positioned message, with the context it was parsing when there is one.
    private func parserError() -> YAMLSyntaxError {
        let state = self.parser.pointee
        var message = state.problem.map { String(cString: $0) } ?? "malformed YAML"
        if state.error == YAML_READER_ERROR {
            if state.problem_value >= 0 {
                message += " (byte 0x\(String(state.problem_value, radix: 16, uppercase: true)))"
            }
            return YAMLSyntaxError(
                mark: UTF8Check.mark(ofOffset: state.problem_offset, in: self.source), message: message)
        }
        let mark = SourceMark(line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1)
        if let context = state.context.map({ String(cString: $0) }) {
            let contextMark = SourceMark(
                line: Int(state.context_mark.line) + 1,
                column: Int(state.context_mark.column) + 1
            )
            message += " (\(context) at \(contextMark))"
        }
        return YAMLSyntaxError(mark: mark, message: message)
    }
}
