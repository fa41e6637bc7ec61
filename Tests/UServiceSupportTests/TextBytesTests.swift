import Glibc
import NIOCore
import Testing

@testable import UServiceSupport

/// The text the hot paths write through ``UnsafeByteWriter``: decimals, JSON escapes, RFC 3339
/// timestamps, including the longest each can get; and the did-you-mean suggestions.
@Suite("Text bytes")
struct TextBytesTests {
    @Test func decimalsArePaddedAndNeverTruncated() {
        let text = String(writingUpTo: 64) { writer in
            writer.append(decimal: 7, minimumWidth: 4)
            writer.append(byte: UInt8(ascii: " "))
            writer.append(decimal: 0)
            writer.append(byte: UInt8(ascii: " "))
            writer.append(decimal: 1_234_567, minimumWidth: 2)
            writer.append(byte: UInt8(ascii: " "))
            writer.append(decimal: Int.max)
        }
        #expect(text == "0007 0 1234567 \(Int.max)")
    }

    @Test func writingPastTheStatedBoundTrapsEvenWhereTheBufferHasRoom() async {
        var roomy = ByteBuffer()
        roomy.writeDirectly(upTo: 4) { $0.append("four") }
        #expect(String(buffer: roomy) == "four")
        await #expect(processExitsWith: .failure) {
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            buffer.writeDirectly(upTo: 3) { $0.append("four") }
        }
        await #expect(processExitsWith: .failure) {
            _ = String(writingUpTo: 3) { $0.append(decimal: 1234) }
        }
    }

    @Test func jsonEscapesEveryControlByteAndKeepsOtherCharacters() {
        var text = "\"\\é✓ok"
        var expected = #"\"\\é✓ok"#
        for value in Array(0..<0x20) + [0x7F] {
            text.unicodeScalars.append(Unicode.Scalar(UInt8(value)))
            switch value {
            case 0x0A: expected += "\\n"
            case 0x0D: expected += "\\r"
            case 0x09: expected += "\\t"
            default: expected += "\\u00" + (value < 0x10 ? "0" : "") + String(value, radix: 16)
            }
        }
        #expect(JSONString.quoted(text) == "\"" + expected + "\"")
        var buffer = ByteBuffer()
        buffer.writeDirectly(upTo: JSONString.maxEscapedBytes(text)) { JSONString.writeEscaped(text, to: &$0) }
        #expect(String(buffer: buffer) == expected)
    }

    @Test func longestTimestampFitsItsBound() {
        let latest = UTCTimestamp(seconds: 253_402_300_799, nanoseconds: 999_999_999).rfc3339(fractionDigits: 9)
        #expect(latest == "9999-12-31T23:59:59.999999999Z")
        #expect(latest.utf8.count == UTCTimestamp.maxRFC3339Bytes)
        #expect(
            UTCTimestamp(seconds: 1, nanoseconds: 42).rfc3339(fractionDigits: 9) == "1970-01-01T00:00:01.000000042Z")
    }

    @Test func calendarMatchesTheCLibraryFromYearOneToYear9999() {
        // Every leap-day and year-end edge near the epoch, then a prime stride across ten millennia.
        let edges = [-1, 0, 1, 68_169_599, 68_169_600, 951_782_399, 951_782_400, 951_868_800, 4_107_542_400]
        for seconds in edges + Array(stride(from: -62_135_596_800, through: 253_402_300_799, by: 7_919_993)) {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            func padded(_ value: Int32, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            let expected =
                "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
                + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))Z"
            #expect(UTCTimestamp(seconds: seconds).rfc3339() == expected)
        }
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSONString.quoted("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
    }

    @Test func rfc3339() {
        #expect(UTCTimestamp(seconds: 0).rfc3339() == "1970-01-01T00:00:00Z")
        #expect(
            UTCTimestamp(seconds: 951_782_400, nanoseconds: 5_000_000).rfc3339(fractionDigits: 3)
                == "2000-02-29T00:00:00.005Z")
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "prot", among: ["address", "port"]) == "port")
        #expect(
            Suggestion.closest(to: "shutdown_timeout", among: ["drainDelay", "shutdownTimeout"]) == "shutdownTimeout")
        #expect(Suggestion.closest(to: "tls", among: ["address", "port"]) == nil)
    }
}
