internal import AgentConfiguration
internal import Logging
import NIOPosix
internal import UServiceSupport

/// The plugins an agent runs with, by name, loaded at start and shut down at exit.
struct PluginSet: Sendable {
    /// The plugins in the order they were loaded.
    let inLoadOrder: [LoadedPlugin]
    let byName: [String: LoadedPlugin]

    private init(_ plugins: [LoadedPlugin]) {
        self.inLoadOrder = plugins
        self.byName = Dictionary(uniqueKeysWithValues: plugins.map { ($0.name, $0) })
    }

    /// Loads every plugin in order, failing on the first that cannot load (after shutting down
    /// those already loaded), and registers the health check of each plugin that has one:
    /// `plugin-NAME` in liveness and readiness, polled on the blocking thread pool.
    static func load(_ paths: [String], registry: HealthRegistry, logger: Logger) throws(AgentStartupError) -> PluginSet
    {
        var plugins: [LoadedPlugin] = []
        func fail(_ error: PluginError) -> AgentStartupError {
            PluginSet(plugins).shutdown(waitingUpTo: .zero, logger: logger)
            return .plugin(error)
        }
        for path in paths {
            let plugin: LoadedPlugin
            do {
                plugin = try LoadedPlugin(path: path)
            } catch {
                throw fail(error)
            }
            guard !plugins.contains(where: { $0.name == plugin.name }) else {
                plugin.shutdown(waitingUpTo: 0)
                throw fail(.duplicateName(plugin.name))
            }
            plugins.append(plugin)
            logger.info(
                "plugin loaded",
                metadata: ["plugin": "\(plugin.name)", "version": "\(plugin.version)", "path": "\(plugin.path)"])
            if plugin.hasHealthCheck {
                registry.registerPolled(
                    "plugin-\(plugin.name)", probes: [.liveness, .readiness], interval: .seconds(5),
                    timeout: .seconds(1)
                ) {
                    (try? await NIOThreadPool.singleton.runIfActive { plugin.health() })
                        ?? .fail("the thread pool is shut down")
                }
            }
        }
        return PluginSet(plugins)
    }

    /// Calls every plugin's `deinit` once its last call has returned, waiting up to `timeout`
    /// in all for calls still running (requests cut by the shutdown timeout, health checks).
    /// A plugin whose calls are still running then is left alone, and said so.
    func shutdown(waitingUpTo timeout: Duration, logger: Logger) {
        let deadline = ContinuousClock.now + timeout
        for plugin in self.inLoadOrder {
            let seconds = Double((deadline - .now).wholeNanoseconds) / 1e9
            if !plugin.shutdown(waitingUpTo: seconds) {
                logger.warning(
                    "plugin still running at exit; its deinit is skipped", metadata: ["plugin": "\(plugin.name)"])
            }
        }
    }
}
