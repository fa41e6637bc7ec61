/// The `service` section: who this agent is.
public struct ServiceConfig: Sendable, Equatable {
    /// The name in logs, metrics and Events. Default `uservice`.
    public var name: String

    public init(name: String = "uservice") {
        self.name = name
    }

    init(reading reader: inout ConfigReader, defaults: ServiceConfig) {
        self.name = reader.read("name", .nonEmpty, default: defaults.name, "Name used in logs, metrics and Events.")
    }
}
