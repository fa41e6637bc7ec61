package import AgentConfiguration
import NIOConcurrencyHelpers

/// The config in force, shared by every part of the running agent. A SIGHUP reload replaces it;
/// readers take a snapshot when they need one (per request, per connection, per drain).
package final class RuntimeSettings: Sendable {
    private let box: NIOLockedValueBox<AgentConfig>

    package init(_ config: AgentConfig) {
        self.box = NIOLockedValueBox(config)
    }

    /// The config in force now.
    package var current: AgentConfig {
        self.box.withLockedValue { $0 }
    }

    /// One part of the config in force, read without copying the rest: what the paths run per
    /// request or per connection use (a whole copy retains and releases every string and list
    /// in it).
    package func current<Part>(_ part: (AgentConfig) -> Part) -> Part {
        self.box.withLockedValue { part($0) }
    }

    /// Replaces the config in force.
    package func replace(with config: AgentConfig) {
        self.box.withLockedValue { $0 = config }
    }
}
