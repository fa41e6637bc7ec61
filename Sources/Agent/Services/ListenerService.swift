import HTTPServer
internal import ServiceLifecycle

/// Keeps a listener open until the service group shuts down (or is cancelled), then closes
/// it, giving open connections `closeTimeout` to finish their current request.
///
/// The listening socket may close earlier (the drain coordinator stops the data port from
/// accepting); that is not the end of the service, whose connections may still be serving.
struct ListenerService: Service {
    let listener: HTTPListener
    let closeTimeout: Duration

    func run() async throws {
        // Returns on graceful shutdown; throws on cancellation, which closes at once below.
        try? await gracefulShutdown()
        _ = await self.listener.drain(within: self.closeTimeout)
    }
}
