/// Everything that can be wrong with a config file. ``description`` is the message users read.
public enum ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read; `reason` is the system's explanation.
    case unreadableFile(reason: String)
    /// The file holds no YAML document, or an empty one.
    case emptyFile
    /// The YAML itself is malformed.
    case syntax(String)
    /// A key that the config does not have; `section` is nil at the top level.
    case unknownKey(String, section: String?, suggestion: String?)
    /// A key the section needs but does not have.
    case missingKey(String, section: String?)
    /// A name that must be unique in its list, used twice.
    case duplicateName(String)
    /// A key that appears twice in one mapping.
    case duplicateKey(String, first: SourceMark)
    /// A mapping key that is a list, a mapping or null instead of a name.
    case nonStringKey(found: String)
    /// A value of the wrong YAML type, e.g. a string where a port number belongs.
    case typeMismatch(expected: String, found: String)
    /// An integer (as written) outside what the setting accepts.
    case outOfRange(String, range: ClosedRange<Int>, what: String)
    /// A duration that does not follow the `250ms` / `5s` / `1m30s` form.
    case invalidDuration(String, ConfigDuration.FormatError)
    /// A string that is not one of the setting's choices.
    case invalidChoice(String, choices: [String], suggestion: String?)
    /// A string that does not have the form the setting needs (an absolute path, an https URL...).
    case invalidText(String, expected: String)
    /// Four dot-separated numbers with one above 255: neither an IPv4 address nor a host name.
    case invalidIPv4(String, octet: String)
    /// Plugins configured in a build that cannot load shared libraries (the static executable).
    case pluginsNeedDynamicLoading
    /// Two listeners that would bind the same port.
    case portConflict(Int, otherSetting: String)
    /// A section that only a build with an optional feature accepts.
    case unsupportedInBuild(key: String, feature: String)

    public var description: String {
        switch self {
        case .unreadableFile(let reason):
            return "cannot read config file: \(reason)"
        case .emptyFile:
            return "the config file is empty (write {} to run on the defaults)"
        case .syntax(let message):
            return "invalid YAML: \(message)"
        case .unknownKey(let key, let section, let suggestion):
            let place = section.map { " in \"\($0)\"" } ?? ""
            return "unknown key \"\(key)\"\(place)" + Self.didYouMean(suggestion)
        case .missingKey(let key, let section):
            return "missing key \"\(key)\"" + (section.map { " in \"\($0)\"" } ?? "")
        case .duplicateName(let name):
            return "the name \"\(name)\" is used twice"
        case .duplicateKey(let key, let first):
            return "duplicate key \"\(key)\" (first defined at \(first))"
        case .nonStringKey(let found):
            return "expected a key name, found \(found)"
        case .typeMismatch(let expected, let found):
            return "expected \(expected), found \(found)"
        case .outOfRange(let value, let range, let what):
            return "\(what) \(value) is out of range (\(range.lowerBound)-\(range.upperBound))"
        case .invalidDuration(let text, let error):
            return "invalid duration \"\(text)\": \(error)"
        case .invalidChoice(let value, let choices, let suggestion):
            let list = choices.joined(separator: ", ")
            return "invalid value \"\(value)\" (expected one of: \(list))" + Self.didYouMean(suggestion)
        case .invalidText(let value, let expected):
            return "expected \(expected), found \"\(value)\""
        case .invalidIPv4(let host, let octet):
            return "invalid IPv4 address \"\(host)\": \(octet) is above 255"
        case .pluginsNeedDynamicLoading:
            return "plugins cannot be loaded by the static build (a statically linked executable cannot load "
                + "shared libraries; use the closure image variant)"
        case .portConflict(let port, let otherSetting):
            return "port \(port) is already used by \(otherSetting)"
        case .unsupportedInBuild(let key, let feature):
            return "\"\(key)\" needs a build with \(feature) support; this build has none"
        }
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
