import UServiceSupport

/// A scalar's value under the YAML 1.2 core schema (`null`, booleans, integers, floats, strings).
public enum YAMLScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer; `nil` when it does not fit in `Int`.
    case integer(Int?)
    case float
    case string(String)

    /// Resolves an unquoted scalar the way YAML 1.2's core schema does.
    public init(resolvingPlain text: String) {
        switch text {
        case "", "~", "null", "Null", "NULL":
            self = .null
        case "true", "True", "TRUE":
            self = .bool(true)
        case "false", "False", "FALSE":
            self = .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            self = .float
        default:
            if let integer = Self.integer(text) {
                self = integer
            } else if Self.isFloat(text) {
                self = .float
            } else {
                self = .string(text)
            }
        }
    }

    /// A short description of the kind of value, for error messages ("an integer").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .float: "a number"
        case .string: "a string"
        }
    }

    private static func integer(_ text: String) -> YAMLScalarValue? {
        var digits = Substring(text)
        var radix = 10
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        } else if digits.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.hexDigitValue ?? radix) < radix }) else {
            return nil
        }
        guard let magnitude = Int(digits, radix: radix) else { return .integer(nil) }
        return .integer(negative ? -magnitude : magnitude)
    }

    private static func isFloat(_ text: String) -> Bool {
        var rest = Substring(text)
        if let sign = rest.first, sign == "-" || sign == "+" { rest = rest.dropFirst() }
        let mantissa = rest.prefix { $0 != "e" && $0 != "E" }
        let exponent = rest.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let allDigits = { (part: Substring) in part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) }
        guard mantissa.contains(where: \.isNumber), parts.allSatisfy(allDigits), parts.count == 2 || !exponent.isEmpty
        else { return false }
        guard !exponent.isEmpty else { return true }
        var exponentDigits = exponent.dropFirst()
        if let sign = exponentDigits.first, sign == "-" || sign == "+" { exponentDigits = exponentDigits.dropFirst() }
        return !exponentDigits.isEmpty && allDigits(exponentDigits)
    }
}
