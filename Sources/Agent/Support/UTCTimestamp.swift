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

    /// `2026-11-26T22:34:20Z`, or with `fractionDigits` (1...9) `2026-11-26T22:34:20.123Z`.
    public func rfc3339(fractionDigits: Int = 0) -> String {
        var time = time_t(self.seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let digits = min(max(fractionDigits, 0), 9)
        var text: [UInt8] = []
        text.reserveCapacity(30)
        func append(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, width: 4)
        text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, width: 2)
        text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), width: 2)
        text.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), width: 2)
        text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), width: 2)
        text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), width: 2)
        if digits > 0 {
            var divisor = 1
            for _ in digits..<9 { divisor *= 10 }
            text.append(UInt8(ascii: "."))
            append(self.nanoseconds / divisor, width: digits)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }
}
