/// An ordered, JSON-shaped value: the effective config and the config's JSON Schema are built
/// as `ConfigValue`s and rendered as YAML or JSON with their keys in a stable order.
public enum ConfigValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case string(String)
    case array([ConfigValue])
    case object([Member])

    /// One key/value pair of an object, in order.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: ConfigValue

        public init(_ key: String, _ value: ConfigValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value under `key` when this is an object.
    public subscript(key: String) -> ConfigValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}
