/// Where one HTTP listener binds and what it accepts: shared by the `health` and `server` sections.
public struct ListenerConfig: Sendable, Equatable {
    /// The address to bind, e.g. `0.0.0.0` (all IPv4), `::` (all), `127.0.0.1`.
    public var address: String
    /// The TCP port; 0 lets the system choose one (the bound port is logged).
    public var port: Int
    /// How long a client may take to send one whole request, head and body, once it has
    /// started. Slower clients get 408 and are disconnected (slowloris). Default 10s.
    public var requestTimeout: ConfigDuration
    /// How long a keep-alive connection may sit idle between requests. Default 60s.
    public var idleTimeout: ConfigDuration
    /// The largest request body accepted; larger ones get 413. Default 4 KiB (health), 1 MiB (data).
    public var maxBodyBytes: Int
    /// The largest request head (request line and headers) accepted; larger ones get 400. Default 16 KiB.
    public var maxHeaderBytes: Int
    /// How many connections the listener holds open at once; past it, new connections are
    /// closed as soon as they are accepted (and counted). Default 128 (health), 1024 (data).
    public var maxConnections: Int

    public init(
        address: String = "0.0.0.0",
        port: Int,
        requestTimeout: ConfigDuration = .seconds(10),
        idleTimeout: ConfigDuration = .seconds(60),
        maxBodyBytes: Int = 1 << 20,
        maxHeaderBytes: Int = 16 << 10,
        maxConnections: Int = 1024
    ) {
        self.address = address
        self.port = port
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxConnections = maxConnections
    }

    /// The probe and metrics listener's defaults: `0.0.0.0:7979`, 128 connections (kubelet,
    /// Prometheus and the pod's own containers need a handful), bodies up to 4 KiB (none of
    /// its endpoints takes one).
    public static let health = ListenerConfig(port: 7979, maxBodyBytes: 4096, maxConnections: 128)
    /// The data-plane listener's defaults: `0.0.0.0:8080`, 1024 connections.
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
        self.requestTimeout = reader.read(
            "requestTimeout", .duration, default: defaults.requestTimeout,
            "Time a client has to send a whole request once started (408 after).")
        self.idleTimeout = reader.read(
            "idleTimeout", .duration, default: defaults.idleTimeout,
            "How long an idle keep-alive connection stays open.")
        self.maxBodyBytes = reader.read(
            "maxBodyBytes", .integer(in: 0...(1 << 30), expected: "a size in bytes", what: "size"),
            default: defaults.maxBodyBytes, "Largest request body accepted (413 above).")
        self.maxHeaderBytes = reader.read(
            "maxHeaderBytes", .integer(in: 1024...(1 << 20), expected: "a size in bytes", what: "size"),
            default: defaults.maxHeaderBytes, "Largest request head accepted (400 above).")
        self.maxConnections = reader.read(
            "maxConnections", .integer(in: 1...65536, expected: "a number of connections", what: "connection limit"),
            default: defaults.maxConnections, "Most connections open at once; more are closed on accept and counted.")
    }
}
