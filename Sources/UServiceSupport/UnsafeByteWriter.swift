package import NIOCore

/// Appends bytes to raw memory of a size fixed in advance, each append checked against it.
///
/// What the hot paths use to write a response head or a probe body in one go: a `ByteBuffer`
/// `write…` call per piece checks capacity, uniqueness and exclusive access every time, and
/// those checks cost more than the bytes. Obtained through ``NIOCore/ByteBuffer/writeDirectly(upTo:_:)``
/// or ``Swift/String/init(writingUpTo:_:)``; never outlives the closure it is passed to.
package struct UnsafeByteWriter {
    private let memory: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    package private(set) var count = 0

    /// A writer of the first `maxBytes` bytes of `memory`, however much more of it there is.
    fileprivate init(_ memory: UnsafeMutableRawBufferPointer, maxBytes: Int) {
        precondition(0...memory.count ~= maxBytes, "UnsafeByteWriter: maxBytes outside the memory")
        self.memory = UnsafeMutableRawBufferPointer(rebasing: memory[..<maxBytes])
    }

    package mutating func append(_ text: StaticString) {
        self.append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    package mutating func append(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { self.append($0) }
    }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= self.memory.count - self.count, "UnsafeByteWriter: capacity exceeded")
        guard let source = bytes.baseAddress else { return }
        (self.memory.baseAddress! + self.count).copyMemory(from: source, byteCount: bytes.count)
        self.count += bytes.count
    }

    package mutating func append(byte: UInt8) {
        precondition(self.count < self.memory.count, "UnsafeByteWriter: capacity exceeded")
        self.memory[self.count] = byte
        self.count += 1
    }

    /// The decimal digits of a non-negative `value`, zero-padded to `minimumWidth`.
    package mutating func append(decimal value: Int, minimumWidth: Int = 1) {
        precondition(value >= 0, "UnsafeByteWriter: negative decimal")
        var width = 1
        var limit = 10
        while width < minimumWidth || (value >= limit && width < 19) {
            width += 1
            limit = limit &* 10
        }
        precondition(width <= self.memory.count - self.count, "UnsafeByteWriter: capacity exceeded")
        var rest = value
        var offset = self.count + width
        while offset > self.count {
            offset -= 1
            self.memory[offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        self.count += width
    }
}

extension ByteBuffer {
    /// Writes at most `maxBytes` bytes through one ``UnsafeByteWriter``; writing more traps,
    /// even where the buffer's capacity has room for it.
    package mutating func writeDirectly(upTo maxBytes: Int, _ write: (inout UnsafeByteWriter) -> Void) {
        self.writeWithUnsafeMutableBytes(minimumWritableBytes: maxBytes) { memory in
            var writer = UnsafeByteWriter(memory, maxBytes: maxBytes)
            write(&writer)
            return writer.count
        }
    }
}

extension String {
    /// A string of at most `maxBytes` UTF-8 bytes, written through one ``UnsafeByteWriter``;
    /// writing more traps.
    package init(writingUpTo maxBytes: Int, _ write: (inout UnsafeByteWriter) -> Void) {
        self.init(unsafeUninitializedCapacity: maxBytes) { memory in
            var writer = UnsafeByteWriter(UnsafeMutableRawBufferPointer(memory), maxBytes: maxBytes)
            write(&writer)
            return writer.count
        }
    }
}
