import Logging
import NIOPosix

/// The plugins an agent runs with, by name, loaded at start and shut down at exit.
struct PluginSet: Sendable {
    let byName: [String: LoadedPlugin]

    /// Loads every plugin in order, failing on the first that cannot load (after shutting down
    /// those already loaded), and registers the health check of each plugin that has one:
    /// `plugin-NAME` in liveness and readiness, polled on the blocking thread pool.
    static func load(_ paths: [String], registry: HealthRegistry, logger: Logger) throws(AgentStartupError) -> PluginSet {
        var plugins: [String: LoadedPlugin] = [:]
        func fail(_ error: PluginError) -> AgentStartupError {
            PluginSet(byName: plugins).shutdown()
            return .plugin(error)
        }
        for path in paths {
            let plugin: LoadedPlugin
            do {
                plugin = try LoadedPlugin(path: path)
            } catch {
                throw fail(error)
            }
            guard plugins[plugin.name] == nil else {
                plugin.shutdown()
                throw fail(.duplicateName(plugin.name))
            }
            plugins[plugin.name] = plugin
            logger.info(
                "plugin loaded", metadata: ["plugin": "\(plugin.name)", "version": "\(plugin.version)", "path": "\(path)"])
            if plugin.hasHealthCheck {
                registry.registerPolled(
                    "plugin-\(plugin.name)", probes: [.liveness, .readiness], interval: .seconds(5), timeout: .seconds(1)
                ) {
                    (try? await NIOThreadPool.singleton.runIfActive { plugin.health() }) ?? .fail("the thread pool is shut down")
                }
            }
        }
        return PluginSet(byName: plugins)
    }

    /// Calls every plugin's `deinit`, once the last request is answered.
    func shutdown() {
        for plugin in self.byName.values { plugin.shutdown() }
    }
}
