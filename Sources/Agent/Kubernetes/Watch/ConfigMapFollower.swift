internal import AgentConfiguration
internal import K8sClient
internal import Logging
import NIOConcurrencyHelpers

/// Applies the config held by the watched ConfigMap through the reloader, as a SIGHUP reload
/// would be: validated, live settings applied, `ConfigReloaded` or `ConfigRejected`. Errors
/// are positioned as `configmap/NAME/KEY:LINE:COLUMN`.
struct ConfigMapFollower: Sendable {
    let source: ConfigMapSource
    let reloader: ConfigReloader
    let logger: Logger
    /// Why the ConfigMap last held no config, so a repeat (a list after a restart) is not
    /// reported again.
    private let lastRejection = NIOLockedValueBox<String?>(nil)

    init(source: ConfigMapSource, reloader: ConfigReloader, logger: Logger) {
        self.source = source
        self.reloader = reloader
        self.logger = logger
    }

    /// Where the config comes from, in errors, logs and Events.
    var origin: String { "configmap/\(self.source.name)/\(self.source.key)" }

    /// Takes the ConfigMap as it is now; nil when it does not exist.
    func follow(_ configMap: ConfigMap?) {
        let missing: String?
        let content = configMap?.data?[self.source.key]
        if configMap == nil {
            missing = "the ConfigMap \(self.source.name) does not exist"
        } else if content == nil {
            missing = "the ConfigMap \(self.source.name) has no key \(self.source.key)"
        } else {
            missing = nil
        }
        let isNew = self.lastRejection.withLockedValue { last in
            defer { last = missing }
            return last != missing
        }
        if let missing {
            if isNew { self.reloader.reject(self.origin, reason: missing) }
            return
        }
        if isNew { self.logger.notice("the ConfigMap holds a config again", metadata: ["config": "\(self.origin)"]) }
        if let content {
            self.reloader.reload(content: Array(content.utf8), from: self.origin)
        }
    }
}
