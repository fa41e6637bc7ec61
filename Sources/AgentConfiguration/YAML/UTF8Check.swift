/// Finds where a byte sequence stops being valid UTF-8, so the error can point at that byte.
enum UTF8Check {
    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence, or nil.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            let secondRange: ClosedRange<UInt8>
            switch lead {
            case 0x00...0x7F:
                length = 1
                secondRange = 0x80...0xBF
            case 0xC2...0xDF:
                length = 2
                secondRange = 0x80...0xBF
            case 0xE0:
                length = 3
                secondRange = 0xA0...0xBF
            case 0xED:
                length = 3
                secondRange = 0x80...0x9F
            case 0xE1...0xEF:
                length = 3
                secondRange = 0x80...0xBF
            case 0xF0:
                length = 4
                secondRange = 0x90...0xBF
            case 0xF4:
                length = 4
                secondRange = 0x80...0x8F
            case 0xF1...0xF3:
                length = 4
                secondRange = 0x80...0xBF
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for offset in 1..<length {
                let range: ClosedRange<UInt8> = offset == 1 ? secondRange : 0x80...0xBF
                guard range.contains(bytes[index + offset]) else { return index }
            }
            index += length
        }
        return nil
    }

    /// The line and column of a byte offset, counting each UTF-8 character as one column.
    static func mark(ofOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceMark {
        var mark = SourceMark.start
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                mark.line += 1
                mark.column = 1
            } else if byte & 0xC0 != 0x80 {
                mark.column += 1
            }
        }
        return mark
    }
}
