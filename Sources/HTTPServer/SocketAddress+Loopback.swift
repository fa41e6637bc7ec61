package import NIOCore

extension SocketAddress {
    /// True for a peer inside the pod's network namespace over loopback: 127.0.0.0/8, `::1`,
    /// or `::ffff:127.0.0.0/104` (an IPv4 loopback peer of a dual-stack IPv6 socket).
    ///
    /// Read from the address's canonical text (`inet_ntop`'s), which only the endpoints that
    /// change state ask for.
    package var isLoopback: Bool {
        switch self {
        case .v4, .v6:
            guard let address = self.ipAddress else { return false }
            return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return false
        }
    }
}
