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
    /// The ConfigMap the agent watches for its config, applying each new content live. Default
    /// none: the agent watches its config file instead.
    public var configMap: ConfigMapSource?
    /// Whether the agent watches its own Pod for the `uservice.dev/` annotations. Default true.
    public var watchPod: Bool

    public init(
        enabled: Mode = .auto,
        apiServer: String? = nil,
        serviceAccountDir: String = "/var/run/secrets/kubernetes.io/serviceaccount",
        events: Bool = true,
        readiness: Bool = false,
        timeout: ConfigDuration = .seconds(10),
        flushTimeout: ConfigDuration = .seconds(2),
        configMap: ConfigMapSource? = nil,
        watchPod: Bool = true
    ) {
        self.enabled = enabled
        self.apiServer = apiServer
        self.serviceAccountDir = serviceAccountDir
        self.events = events
        self.readiness = readiness
        self.timeout = timeout
        self.flushTimeout = flushTimeout
        self.configMap = configMap
        self.watchPod = watchPod
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
        self.configMap = reader.optionalSection(
            "configMap", "A ConfigMap of the pod's namespace to watch for the config, applied live.",
            ConfigMapSource.init(reading:))
        self.watchPod = reader.read(
            "watchPod", .bool, default: defaults.watchPod,
            "Watch the agent's own Pod for the uservice.dev/log-level and uservice.dev/out-of-rotation annotations.")
    }
}

/// Where in the cluster the agent's config lives: a key of a ConfigMap in the pod's namespace.
public struct ConfigMapSource: Sendable, Equatable {
    /// The ConfigMap's name.
    public var name: String
    /// The key whose value is the config. Default `uservice.yaml`.
    public var key: String

    /// The key when the config names none.
    public static let defaultKey = "uservice.yaml"

    public init(name: String, key: String = Self.defaultKey) {
        self.name = name
        self.key = key
    }

    init(reading reader: inout ConfigReader) {
        self.name = reader.require(
            "name", .objectName, placeholder: "", "The ConfigMap's name (a DNS subdomain, as Kubernetes names are).")
        self.key = reader.read(
            "key", .configMapKey, default: Self.defaultKey, "The key of the ConfigMap whose value is the config.")
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

extension ValueKind where Value == String {
    /// A Kubernetes object name: a DNS subdomain (RFC 1123) of at most 253 characters.
    static let objectName = text(
        "a Kubernetes name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
        pattern: "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
        isValid: { name in
            name.utf8.count <= 253 && name.first.map(Self.isLowercaseAlphanumeric) == true
                && name.last.map(Self.isLowercaseAlphanumeric) == true
                && name.allSatisfy { Self.isLowercaseAlphanumeric($0) || $0 == "-" || $0 == "." }
        })

    /// A ConfigMap key: letters, digits, `-`, `_` and `.`, at most 253 characters.
    static let configMapKey = text(
        "a ConfigMap key (letters, digits, '-', '_' and '.')",
        pattern: "^[-._a-zA-Z0-9]{1,253}$",
        isValid: { key in
            key.utf8.count <= 253 && key != "." && key != ".."
                && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        })

    private static func isLowercaseAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isNumber || character.isLowercase)
    }
}
