import UServiceSupport

/// The `kubernetes` section: how the agent finds and uses the Kubernetes API.
public struct KubernetesConfig: Sendable, Equatable {
    /// Whether the Kubernetes features run.
    public enum Mode: String, Sendable, CaseIterable {
        /// On when the service-account token and `KUBERNETES_SERVICE_HOST` are present.
        case auto
        /// On; failing to find the API is an error.
        case on = "true"
        /// Off.
        case off = "false"
    }

    /// Default `auto`.
    public var enabled: Mode
    /// An `https://host:port` URL that overrides `KUBERNETES_SERVICE_HOST`/`PORT`. Default none.
    public var apiServer: String?
    /// Where the service-account token, `ca.crt` and `namespace` files are.
    public var serviceAccountDir: String
    /// Whether lifecycle Events are reported. Default true.
    public var events: Bool
    /// Whether the `kubernetes` check (API reachability) counts in `/readyz`. Default false:
    /// an API outage should not take every pod out of its Service. The check is always at
    /// `/readyz/kubernetes`.
    public var readiness: Bool
    /// The longest one API request may take. Default 10s.
    public var timeout: ConfigDuration
    /// How long the drain waits at exit for queued Events (Stopped last) to be sent. Default 2s.
    public var flushTimeout: ConfigDuration

    public init(
        enabled: Mode = .auto,
        apiServer: String? = nil,
        serviceAccountDir: String = "/var/run/secrets/kubernetes.io/serviceaccount",
        events: Bool = true,
        readiness: Bool = false,
        timeout: ConfigDuration = .seconds(10),
        flushTimeout: ConfigDuration = .seconds(2)
    ) {
        self.enabled = enabled
        self.apiServer = apiServer
        self.serviceAccountDir = serviceAccountDir
        self.events = events
        self.readiness = readiness
        self.timeout = timeout
        self.flushTimeout = flushTimeout
    }

    init(reading reader: inout ConfigReader, defaults: KubernetesConfig) {
        self.enabled = reader.read(
            "enabled", .kubernetesMode, default: defaults.enabled,
            "auto (on inside a cluster), true or false.")
        self.apiServer = reader.read(
            "apiServer", .optional(.httpsURL), default: defaults.apiServer,
            "https:// URL of the API server; default from KUBERNETES_SERVICE_HOST/PORT.")
        self.serviceAccountDir = reader.read(
            "serviceAccountDir", .absolutePath, default: defaults.serviceAccountDir,
            "Folder with the service-account token, ca.crt and namespace.")
        self.events = reader.read("events", .bool, default: defaults.events, "Report lifecycle Events.")
        self.readiness = reader.read(
            "readiness", .bool, default: defaults.readiness,
            "Let API reachability (the kubernetes check) count in /readyz.")
        self.timeout = reader.read(
            "timeout", .duration, default: defaults.timeout, "The longest one Kubernetes API request may take.")
        self.flushTimeout = reader.read(
            "flushTimeout", .duration, default: defaults.flushTimeout,
            "How long the drain waits at exit for queued Events to be sent.")
    }
}

extension ValueKind where Value == KubernetesConfig.Mode {
    /// `auto`, `true` or `false`: booleans as YAML writes them, plus the word `auto`.
    static let kubernetesMode = ValueKind(
        schema: [.init("enum", .array([.string("auto"), .bool(true), .bool(false)]))],
        decode: { node, context in
            if case .scalar(let scalar) = node.content {
                switch scalar.resolved {
                case .bool(let enabled):
                    return enabled ? .on : .off
                case .string("auto"):
                    return .auto
                case .string(let text):
                    let choices = KubernetesConfig.Mode.allCases.map(\.rawValue)
                    let suggestion = Suggestion.closest(to: text, among: choices)
                    context.report(.invalidChoice(text, choices: choices, suggestion: suggestion), at: node.mark)
                    return nil
                default:
                    break
                }
            }
            let found = node.kindDescription
            context.report(.typeMismatch(expected: "auto, true or false", found: found), at: node.mark)
            return nil
        },
        encode: { mode in mode == .auto ? .string("auto") : .bool(mode == .on) }
    )
}
