/// Why the agent could not start; the executable prints it on one line and exits 1.
package enum AgentStartupError: Error, Sendable, CustomStringConvertible {
    /// A listener could not bind its address.
    case cannotBind(listener: String, address: String, port: Int, reason: String)
    /// A plugin could not be loaded or initialised.
    case plugin(PluginError)
    /// `kubernetes.enabled` is true but the cluster cannot be used.
    case kubernetes(String)
    /// The Kafka producer could not be created from `kafka`.
    case kafka(String)

    package var description: String {
        switch self {
        case .cannotBind(let listener, let address, let port, let reason):
            let host = address.contains(":") ? "[\(address)]" : address
            return "the \(listener) listener cannot bind \(host):\(port): \(reason)"
        case .plugin(let error):
            return error.description
        case .kubernetes(let reason), .kafka(let reason):
            return reason
        }
    }
}
