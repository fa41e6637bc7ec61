/// Why the agent could not start; the executable prints it on one line and exits 1.
public enum AgentStartupError: Error, Sendable, CustomStringConvertible {
    /// A listener could not bind its address.
    case cannotBind(listener: String, address: String, port: Int, reason: String)
    /// Plugins are configured, but this version cannot load them; running without them would
    /// hide that they are missing.
    case pluginsNotSupported([String])

    public var description: String {
        switch self {
        case .cannotBind(let listener, let address, let port, let reason):
            let host = address.contains(":") ? "[\(address)]" : address
            return "the \(listener) listener cannot bind \(host):\(port): \(reason)"
        case .pluginsNotSupported(let paths):
            return "this version cannot load plugins yet (configured: \(paths.joined(separator: ", ")))"
        }
    }
}
