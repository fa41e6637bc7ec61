import AgentConfiguration
import Testing

@Suite("YAML reading")
struct YAMLParserTests {
    private func parse(_ text: String) throws -> YAMLNode? {
        try YAMLParser.parse(Array(text.utf8))
    }

    @Test func nodesKeepTheirPositions() throws {
        let root = try #require(try self.parse("a:\n  b: [1, 'two']\n"))
        guard case .mapping(let top) = root.content, case .mapping(let inner) = top[0].value.content,
            case .sequence(let items) = inner[0].value.content
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(top[0].key.mark == SourceMark(line: 1, column: 1))
        #expect(inner[0].key.mark == SourceMark(line: 2, column: 3))
        #expect(items.map(\.mark) == [SourceMark(line: 2, column: 7), SourceMark(line: 2, column: 10)])
        #expect(items[1].content == .scalar(YAMLScalar(text: "two", isPlain: false)))
    }

    @Test func emptyStreamHasNoDocument() throws {
        #expect(try self.parse("") == nil)
        #expect(try self.parse("# comment only\n") == nil)
    }

    @Test func aliasesResolveToTheAnchoredValue() throws {
        let root = try #require(try self.parse("a: &x 1\nb: *x\n"))
        guard case .mapping(let pairs) = root.content else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs[1].value.content == pairs[0].value.content)
        #expect(pairs[1].value.mark == SourceMark(line: 2, column: 4))
    }

    @Test func rejectsWhatIsNotOneWellFormedDocument() {
        #expect(
            throws: YAMLSyntaxError(
                mark: SourceMark(line: 2, column: 1), message: "expected a single YAML document, found another one")
        ) {
            _ = try self.parse("a: 1\n---\nb: 2\n")
        }
        #expect(throws: YAMLSyntaxError(mark: SourceMark(line: 1, column: 4), message: "unknown alias \"*nope\"")) {
            _ = try self.parse("a: *nope\n")
        }
        #expect(throws: YAMLSyntaxError(mark: SourceMark(line: 1, column: 6), message: "invalid UTF-8 (byte 0xFF)")) {
            _ = try YAMLParser.parse(Array("a: \u{e9}".utf8) + [0x20, 0xFF])
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: YAMLSyntaxError.self) { _ = try self.parse(deep) }
    }

    @Test(arguments: [
        ("", YAMLScalarValue.null), ("~", .null), ("null", .null), ("true", .bool(true)), ("False", .bool(false)),
        ("42", .integer(42)), ("-7", .integer(-7)), ("0x1F", .integer(31)), ("0o17", .integer(15)),
        ("99999999999999999999", .integer(nil)), ("1.5", .float), ("1e3", .float), (".inf", .float),
        ("yes", .string("yes")), ("0.0.0.0", .string("0.0.0.0")), ("5s", .string("5s")), ("::", .string("::")),
        ("1.", .float), ("-", .string("-")), ("0x", .string("0x")),
    ])
    func plainScalarsResolveLikeYAML12(text: String, value: YAMLScalarValue) {
        #expect(YAMLScalarValue(resolvingPlain: text) == value)
    }
}
