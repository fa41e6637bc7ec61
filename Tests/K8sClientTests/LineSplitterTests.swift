import Testing

@testable import K8sClient

@Suite("watch stream line splitter")
struct LineSplitterTests {
    /// Feeds `pieces` in order and returns the lines, as text.
    static func split(_ pieces: [String], limit: Int = 64) throws(LineSplitter.LineTooLong) -> [String] {
        var splitter = LineSplitter(maxLineBytes: limit)
        var lines: [String] = []
        for piece in pieces {
            let bytes = Array(piece.utf8)
            let result = bytes.withUnsafeBytes { buffer in
                Result { () throws(LineSplitter.LineTooLong) in try splitter.append(buffer) }
            }
            lines += try result.get().map { String(decoding: $0, as: UTF8.self) }
        }
        return lines
    }

    @Test func anEventSplitAcrossReadsIsOneLine() throws {
        #expect(try Self.split([#"{"type":"ADD"#, #"ED","object""#, ":{}}\n"]) == [#"{"type":"ADDED","object":{}}"#])
        // Split right before and right after the newline.
        #expect(try Self.split(["one", "\n", "two\n"]) == ["one", "two"])
    }

    @Test func severalEventsInOneReadAreSeveralLines() throws {
        #expect(try Self.split(["a\nb\nc\nd"]) == ["a", "b", "c"])
        #expect(try Self.split(["a\nb\nc\nd", "\n"]) == ["a", "b", "c", "d"])
        #expect(try Self.split(["\n\na\n\n"]) == ["a"], "empty lines are skipped")
    }

    @Test func aLineAtTheLimitPassesAndOnePastItFails() throws {
        let atLimit = String(repeating: "x", count: 64)
        #expect(try Self.split([atLimit + "\n"]) == [atLimit])
        #expect(try Self.split([String(atLimit.prefix(30)), String(atLimit.dropFirst(30)) + "\n"]) == [atLimit])
        #expect(throws: LineSplitter.LineTooLong(limit: 64)) { try Self.split([atLimit + "x\n"]) }
        // Past the limit without a newline yet: refused at once, not held until the line ends.
        #expect(throws: LineSplitter.LineTooLong(limit: 64)) { try Self.split([atLimit, "x"]) }
    }
}
