#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant, formatted as RFC 3339 in UTC without Foundation.
public struct UTCTimestamp: Sendable, Hashable {
    /// Seconds since the Unix epoch.
    public var seconds: Int
    /// Nanoseconds within the second.
    public var nanoseconds: Int

    public init(seconds: Int, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The current time from `CLOCK_REALTIME`.
    public static func now() -> UTCTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTimestamp(seconds: Int(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// The most bytes ``rfc3339(fractionDigits:)`` takes: `2026-11-26T22:34:20.123456789Z`.
    static let maxRFC3339Bytes = 30

    /// `2026-11-26T22:34:20Z`, or with `fractionDigits` (1...9) `2026-11-26T22:34:20.123Z`.
    public func rfc3339(fractionDigits: Int = 0) -> String {
        String(writingUpTo: Self.maxRFC3339Bytes) { self.writeRFC3339(fractionDigits: fractionDigits, to: &$0) }
    }

    /// Writes ``rfc3339(fractionDigits:)``, at most ``maxRFC3339Bytes`` bytes.
    func writeRFC3339(fractionDigits: Int = 0, to writer: inout UnsafeByteWriter) {
        var time = time_t(self.seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        writer.append(decimal: min(max(Int(parts.tm_year) + 1900, 0), 9999), minimumWidth: 4)
        writer.append(byte: UInt8(ascii: "-"))
        writer.append(decimal: Int(parts.tm_mon) + 1, minimumWidth: 2)
        writer.append(byte: UInt8(ascii: "-"))
        writer.append(decimal: Int(parts.tm_mday), minimumWidth: 2)
        writer.append(byte: UInt8(ascii: "T"))
        writer.append(decimal: Int(parts.tm_hour), minimumWidth: 2)
        writer.append(byte: UInt8(ascii: ":"))
        writer.append(decimal: Int(parts.tm_min), minimumWidth: 2)
        writer.append(byte: UInt8(ascii: ":"))
        writer.append(decimal: Int(parts.tm_sec), minimumWidth: 2)
        let digits = min(max(fractionDigits, 0), 9)
        if digits > 0 {
            var divisor = 1
            for _ in digits..<9 { divisor *= 10 }
            writer.append(byte: UInt8(ascii: "."))
            writer.append(decimal: min(max(self.nanoseconds, 0), 999_999_999) / divisor, minimumWidth: digits)
        }
        writer.append(byte: UInt8(ascii: "Z"))
    }
}
