/// A non-negative length of time written as whole numbers with units: `250ms`, `5s`, `1m`, `1m30s`, `2h`.
///
/// Millisecond precision is all a config needs; ``description`` gives the shortest form that
/// parses back to the same value.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in milliseconds, never negative.
    public var milliseconds: Int

    public init(milliseconds: Int) {
        precondition(milliseconds >= 0, "a ConfigDuration is never negative")
        self.milliseconds = milliseconds
    }

    public static func seconds(_ seconds: Int) -> ConfigDuration {
        ConfigDuration(milliseconds: seconds * 1000)
    }

    /// The value as a Swift `Duration`.
    public var duration: Duration { .milliseconds(self.milliseconds) }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    private static let units: [(suffix: String, milliseconds: Int)] = [
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Why a text is not a duration.
    public enum FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case negative
        case fractional
        case missingNumber(unit: String)
        case missingUnit(after: String)
        case unknownUnit(String)
        case tooLarge

        public var description: String {
            switch self {
            case .empty: "it is empty"
            case .negative: "durations cannot be negative"
            case .fractional: "use whole numbers of a smaller unit, e.g. 1500ms instead of 1.5s"
            case .missingNumber(let unit): "expected a number before \"\(unit)\""
            case .missingUnit(let number): "missing unit after \(number) (use ms, s, m or h)"
            case .unknownUnit(let unit): "unknown unit \"\(unit)\" (use ms, s, m or h)"
            case .tooLarge: "it is too large"
            }
        }
    }

    /// Parses `250ms`, `5s`, `1m30s` and the like.
    public init(parsing text: String) throws(FormatError) {
        guard !text.isEmpty else { throw .empty }
        if text.hasPrefix("-") { throw .negative }
        var rest = Substring(text)
        var total = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(number.count)
            if rest.first == "." { throw .fractional }
            let unit = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "." }
            rest = rest.dropFirst(unit.count)
            guard !number.isEmpty else { throw .missingNumber(unit: String(unit)) }
            guard !unit.isEmpty else { throw .missingUnit(after: String(number)) }
            guard let scale = Self.units.first(where: { $0.suffix == unit })?.milliseconds else {
                throw .unknownUnit(String(unit))
            }
            guard let value = Int(number) else { throw .tooLarge }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(scaled)
            guard !overflow, !sumOverflow else { throw .tooLarge }
            total = sum
        }
        self.init(milliseconds: total)
    }

    /// The shortest text that parses back to this duration: `0s`, `250ms`, `1m30s`.
    public var description: String {
        guard self.milliseconds > 0 else { return "0s" }
        var rest = self.milliseconds
        var text = ""
        for (suffix, scale) in Self.units where rest >= scale {
            text += "\(rest / scale)\(suffix)"
            rest %= scale
        }
        return text
    }
}
