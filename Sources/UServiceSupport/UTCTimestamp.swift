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
    package static let maxRFC3339Bytes = 30

    /// `2026-11-26T22:34:20Z`, or with `fractionDigits` (1...9) `2026-11-26T22:34:20.123Z`.
    public func rfc3339(fractionDigits: Int = 0) -> String {
        String(writingUpTo: Self.maxRFC3339Bytes) { self.writeRFC3339(fractionDigits: fractionDigits, to: &$0) }
    }

    /// Writes ``rfc3339(fractionDigits:)``, at most ``maxRFC3339Bytes`` bytes.
    package func writeRFC3339(fractionDigits: Int = 0, to writer: inout UnsafeByteWriter) {
        let (date, secondOfDay) = self.civilDate
        writer.append(decimal: min(max(date.year, 0), 9999), minimumWidth: 4)
        writer.append(byte: UInt8(ascii: "-"))
        writer.append(decimal: date.month, minimumWidth: 2)
        writer.append(byte: UInt8(ascii: "-"))
        writer.append(decimal: date.day, minimumWidth: 2)
        writer.append(byte: UInt8(ascii: "T"))
        writer.append(decimal: secondOfDay / 3600, minimumWidth: 2)
        writer.append(byte: UInt8(ascii: ":"))
        writer.append(decimal: secondOfDay / 60 % 60, minimumWidth: 2)
        writer.append(byte: UInt8(ascii: ":"))
        writer.append(decimal: secondOfDay % 60, minimumWidth: 2)
        let digits = min(max(fractionDigits, 0), 9)
        if digits > 0 {
            var divisor = 1
            for _ in digits..<9 { divisor *= 10 }
            writer.append(byte: UInt8(ascii: "."))
            writer.append(decimal: min(max(self.nanoseconds, 0), 999_999_999) / divisor, minimumWidth: digits)
        }
        writer.append(byte: UInt8(ascii: "Z"))
    }

    /// The UTC date (proleptic Gregorian calendar) and the second of that day: whole 400-year
    /// eras of 146,097 days, then the year, month and day within one, counted from March so
    /// the leap day comes last. Arithmetic only; `gmtime_r` cost more than the rest of a probe body.
    private var civilDate: (date: (year: Int, month: Int, day: Int), secondOfDay: Int) {
        var (days, secondOfDay) = self.seconds.quotientAndRemainder(dividingBy: 86_400)
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let sinceMarchOfYearZero = days + 719_468
        let era = (sinceMarchOfYearZero >= 0 ? sinceMarchOfYearZero : sinceMarchOfYearZero - 146_096) / 146_097
        let dayOfEra = sinceMarchOfYearZero - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return ((yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day), secondOfDay)
    }
}
