internal import ServiceLifecycle

/// Runs every polled check of a registry on its interval until the agent shuts down.
struct PolledCheckRunner: Service {
    let registry: HealthRegistry

    func run() async throws {
        guard !self.registry.polledChecks.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for check in self.registry.polledChecks {
                    group.addTask {
                        while !Task.isCancelled {
                            await check.runOnce()
                            try? await Task.sleep(for: check.interval)
                        }
                    }
                }
            }
        }
    }
}
