/// The `health` section: the probe and metrics listener, and its watchdog tickers.
public struct HealthConfig: Sendable, Equatable {
    /// Where the listener binds and its HTTP limits. Default `0.0.0.0:7979`.
    public var listener: ListenerConfig
    /// Watchdogs the application in the pod ticks with `POST /tick/NAME`. Default none.
    public var tickers: [TickerConfig]

    public init(listener: ListenerConfig = .health, tickers: [TickerConfig] = []) {
        self.listener = listener
        self.tickers = tickers
    }

    init(reading reader: inout ConfigReader, defaults: HealthConfig) {
        self.listener = ListenerConfig(reading: &reader, defaults: defaults.listener)
        self.tickers = reader.list("tickers", "Watchdogs ticked with POST /tick/NAME.") {
            TickerConfig(reading: &$0)
        }
        var seen: Set<String> = []
        for (index, ticker) in self.tickers.enumerated()
        where !ticker.name.isEmpty && !seen.insert(ticker.name).inserted {
            reader.report(.duplicateName(ticker.name), atFirstOf: ["\(reader.path).tickers[\(index)].name"])
        }
    }
}

/// A watchdog check: it fails once nobody has ticked it for `margin`.
public struct TickerConfig: Sendable, Equatable {
    /// The check's name, also the path in `POST /tick/NAME` and `/livez/NAME`.
    public var name: String
    /// How long the check passes after the last tick (or after start).
    public var margin: ConfigDuration
    /// Which probes the check belongs to. Default liveness only.
    public var probes: [Probe]

    public init(name: String, margin: ConfigDuration, probes: [Probe] = [.liveness]) {
        self.name = name
        self.margin = margin
        self.probes = probes
    }

    init(reading reader: inout ConfigReader) {
        self.name = reader.require("name", .checkName, placeholder: "", "Check name: a-z, 0-9 and -.")
        self.margin = reader.read(
            "margin", .duration, default: .seconds(30), "How long a tick keeps the check passing.")
        self.probes = reader.read(
            "probes", .list(of: .choice), default: [.liveness], "Probes the check belongs to: livez, readyz, startupz.")
    }
}

extension ValueKind where Value == String {
    /// A health check name: lower-case letters, digits and `-`, as it appears in probe paths.
    static let checkName = text("a name of a-z, 0-9 and -", pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$") { name in
        name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && name.first != "-" && name.last != "-"
    }
}
