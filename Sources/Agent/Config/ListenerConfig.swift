/// Where one HTTP listener binds: the `health` and `server` sections.
public struct ListenerConfig: Sendable, Equatable {
    /// The address to bind, e.g. `0.0.0.0` (all IPv4), `::` (all), `127.0.0.1`.
    public var address: String
    /// The TCP port; 0 lets the system choose one (the bound port is logged).
    public var port: Int

    public init(address: String = "0.0.0.0", port: Int) {
        self.address = address
        self.port = port
    }

    /// The probe and metrics listener's defaults: `0.0.0.0:7979`.
    public static let health = ListenerConfig(port: 7979)
    /// The data-plane listener's defaults: `0.0.0.0:8080`.
    public static let server = ListenerConfig(port: 8080)

    /// True when both listeners would claim the same port on an overlapping address.
    func conflicts(with other: ListenerConfig) -> Bool {
        let wildcards: Set<String> = ["0.0.0.0", "::", "[::]"]
        let overlapping =
            self.address == other.address || wildcards.contains(self.address) || wildcards.contains(other.address)
        return self.port != 0 && self.port == other.port && overlapping
    }

    init(reading reader: inout ConfigReader, defaults: ListenerConfig) {
        self.address = reader.read(
            "address", .listenAddress, default: defaults.address, "IP address or host name to listen on.")
        self.port = reader.read("port", .port, default: defaults.port, "TCP port; 0 picks a free one.")
    }
}
