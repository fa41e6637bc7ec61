import Logging
import NIOCore
import NIOPosix

/// One bound HTTP/1.1 listener (the health port or the data port) and its connections.
public final class HTTPListener: Sendable {
    /// `health` or `data`, for logs.
    public let name: String
    private let serverChannel: any Channel
    private let connections: ConnectionRegistry

    private init(name: String, serverChannel: any Channel, connections: ConnectionRegistry) {
        self.name = name
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// The port the listener is bound to (the chosen one when configured with 0).
    public var port: Int {
        self.serverChannel.localAddress?.port ?? 0
    }

    /// Completes when the listening socket is closed.
    public var closeFuture: EventLoopFuture<Void> {
        self.serverChannel.closeFuture
    }

    /// Open connections and requests in flight.
    public var activity: (connections: Int, requests: Int) {
        self.connections.counts
    }

    /// Binds a listener. `limits` is read for every new connection, so a reloaded config
    /// applies to new connections.
    ///
    /// - Throws: ``AgentStartupError/cannotBind(listener:address:port:reason:)`` when the
    ///   address cannot be bound (in use, not local, no permission).
    static func bind(
        name: String,
        address: String,
        port: Int,
        limits: @escaping @Sendable () -> ListenerConfig,
        handlerContext: HTTPServerHandler.Context,
        group: any EventLoopGroup
    ) async throws(AgentStartupError) -> HTTPListener {
        let connections = handlerContext.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptPause())
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: Self.maxMessagesPerRead)
            .childChannelInitializer { channel in
                let settings = limits()
                guard connections.admit(channel, limit: settings.maxConnections) else {
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = HTTPServerHandler(
                        listener: handlerContext, limits: .init(settings), now: channel.eventLoop.now)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address, port: port).get()
            return HTTPListener(name: name, serverChannel: channel, connections: connections)
        } catch {
            throw .cannotBind(listener: name, address: address, port: port, reason: "\(error)")
        }
    }

    /// Reads per readiness event: with the allocator's largest read (64 KiB), what one
    /// connection can push in before the handler's backpressure takes hold (256 KiB).
    private static let maxMessagesPerRead: UInt = 4

    /// Fails the initializer of a connection over the listener's limit, which closes it.
    private struct ConnectionLimitReached: Error {}

    /// Closes the listening socket: new connections are refused; open ones continue.
    public func stopAccepting() async {
        try? await self.serverChannel.close()
    }

    /// Stops accepting, lets open connections finish their current request (idle ones close
    /// at once) for up to `timeout`, then closes whatever is left.
    ///
    /// - Returns: the connections and requests that were cut at the deadline (zero when all
    ///   finished in time).
    public func drain(within timeout: Duration) async -> (connections: Int, requests: Int) {
        await self.stopAccepting()
        self.connections.quiesceAll()
        // The waiter is not cancellable, so the deadline closes the connections inside the
        // group; closing them is what lets the waiter, and the group, finish.
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.connections.waitUntilEmpty()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let finishedInTime = await group.next() ?? false
            group.cancelAll()
            guard !finishedInTime else { return (0, 0) }
            let cut = self.connections.counts
            self.connections.closeAll()
            return cut
        }
    }
}
