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
        var text = Self.padded(Int(parts.tm_year) + 1900, 4) + "-" + Self.padded(Int(parts.tm_mon) + 1, 2) + "-"
        text += Self.padded(Int(parts.tm_mday), 2) + "T" + Self.padded(Int(parts.tm_hour), 2) + ":"
        text += Self.padded(Int(parts.tm_min), 2) + ":" + Self.padded(Int(parts.tm_sec), 2)
        if fractionDigits > 0 {
            let digits = min(fractionDigits, 9)
            var divisor = 1
            for _ in digits..<9 { divisor *= 10 }
            text += "." + Self.padded(self.nanoseconds / divisor, digits)
        }
        return text + "Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
