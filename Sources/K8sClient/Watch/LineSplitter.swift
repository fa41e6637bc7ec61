/// Splits a byte stream into its lines (each ended by `\n`), as a watch stream sends one event
/// per line, holding at most ``maxLineBytes`` of a line that has not ended yet.
public struct LineSplitter: Sendable {
    /// A line longer than the limit: the stream cannot be followed past it.
    public struct LineTooLong: Error, Sendable, Equatable, CustomStringConvertible {
        public var limit: Int

        public var description: String { "a line longer than \(self.limit) bytes" }
    }

    /// The longest line accepted, without its `\n`.
    public let maxLineBytes: Int
    private var pending: [UInt8] = []

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Takes the next piece of the stream and returns the lines it completes, in order;
    /// empty lines are skipped.
    ///
    /// - Throws: ``LineTooLong`` as soon as a line passes the limit, before holding more of it.
    public mutating func append(_ piece: UnsafeRawBufferPointer) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = piece.startIndex
        while let newline = piece[start...].firstIndex(of: UInt8(ascii: "\n")) {
            guard self.pending.count + (newline - start) <= self.maxLineBytes else {
                throw LineTooLong(limit: self.maxLineBytes)
            }
            self.pending.append(contentsOf: piece[start..<newline])
            if !self.pending.isEmpty { lines.append(self.pending) }
            self.pending.removeAll(keepingCapacity: false)
            start = newline + 1
        }
        guard self.pending.count + (piece.endIndex - start) <= self.maxLineBytes else {
            throw LineTooLong(limit: self.maxLineBytes)
        }
        self.pending.append(contentsOf: piece[start...])
        return lines
    }
}
