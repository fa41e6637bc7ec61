package import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One bound HTTP/1.1 listener (the health port or the data port) and its connections.
///
/// It listens with one socket per event loop, all on the same port (`SO_REUSEPORT`): the
/// kernel spreads new connections over them, and each event loop serves the connections it
/// accepted, so a new connection is never handed from one thread to another (which cost a
/// wake-up of the other thread per connection).
package final class HTTPListener: Sendable {
    /// `health` or `data`, for logs.
    package let name: String
    private let serverChannels: [any Channel]
    private let connections: ConnectionRegistry

    private init(name: String, serverChannels: [any Channel], connections: ConnectionRegistry) {
        self.name = name
        self.serverChannels = serverChannels
        self.connections = connections
    }

    /// The port the listener is bound to (the chosen one when configured with 0).
    package var port: Int {
        self.serverChannels.first?.localAddress?.port ?? 0
    }

    /// Open connections and requests in flight.
    package var activity: (connections: Int, requests: Int) {
        self.connections.counts
    }

    /// Binds a listener.
    ///
    /// - Parameters:
    ///   - name: `health` or `data`: for logs and the `listener` label of its metrics.
    ///   - limits: read for every new connection, so a reloaded config applies to new connections.
    ///   - responder: answers the requests.
    ///   - requestLog: told of every answered request (the access log); nil for none.
    ///   - closeAfterResponse: true while answers should close their connection (a drain).
    ///   - group: the event loops that accept and serve the connections, one socket each.
    /// - Throws: ``HTTPListenerBindError`` when the address cannot be bound (in use, not local,
    ///   no permission).
    package static func bind(
        name: String,
        address: String,
        port: Int,
        limits: @escaping @Sendable () -> HTTPServerLimits,
        responder: any HTTPResponder,
        metrics: HTTPMetrics,
        requestLog: (any HTTPRequestLog)?,
        closeAfterResponse: @escaping @Sendable () -> Bool,
        group: any EventLoopGroup
    ) async throws(HTTPListenerBindError) -> HTTPListener {
        let connections = ConnectionRegistry(listener: name)
        let handlerContext = HTTPServerHandler.Context(
            responder: responder, metrics: metrics, connections: connections, requestLog: requestLog,
            closeAfterResponse: closeAfterResponse)
        func bootstrap(on loop: any EventLoop) -> ServerBootstrap {
            let deadlines = NIOLoopBoundBox.makeBoxSendingValue(DeadlineTimer(eventLoop: loop), eventLoop: loop)
            return ServerBootstrap(group: loop, childGroup: loop)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_REUSEPORT)), value: 1
                )
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Best effort: a sandbox that refuses the option costs a wake-up, not the port.
                        try? channel.syncOptions?.setOption(Self.deferAccept, value: Self.deferAcceptSeconds)
                        try channel.pipeline.syncOperations.addHandler(AcceptPause())
                    }
                }
                // No child channel options: the bootstrap applies those one future at a time
                // on every connection. Accepted sockets inherit TCP_NODELAY from the listening
                // one (where the bootstrap sets it), and SwiftNIO's defaults are the read bounds
                // the docs promise (4 reads of at most 64 KiB per wake-up, pinned by
                // `AcceptedConnectionDefaultsTests`): setting an option costs every connection.
                .childChannelInitializer { channel in
                    let settings = limits()
                    guard connections.admit(channel, limit: settings.maxConnections) else {
                        return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        let handler = HTTPServerHandler(
                            listener: handlerContext, limits: settings, deadlines: deadlines.value,
                            now: channel.eventLoop.now)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
        }
        var channels: [any Channel] = []
        do {
            try await Self.checkFree(address: address, port: port, on: group.next())
            var boundPort = port
            for loop in group.makeIterator() {
                let channel = try await bootstrap(on: loop).bind(host: address, port: boundPort).get()
                channels.append(channel)
                boundPort = channel.localAddress?.port ?? boundPort
            }
            return HTTPListener(name: name, serverChannels: channels, connections: connections)
        } catch {
            for channel in channels { try? await channel.close() }
            throw HTTPListenerBindError(reason: "\(error)")
        }
    }

    /// Fails when another socket holds the port. Sockets that all ask for `SO_REUSEPORT` (as
    /// the listener's do) share a port without complaint, so this asks without it first: a
    /// port in use is an error, as for any server, not a port silently shared with another
    /// process.
    private static func checkFree(address: String, port: Int, on loop: any EventLoop) async throws {
        guard port != 0 else { return }
        let probe = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: address, port: port).get()
        try await probe.close()
    }

    /// `TCP_DEFER_ACCEPT` (as nginx's `deferred` and Apache's `AcceptFilter http data`): the
    /// kernel hands a connection over only once its first bytes are in, so a connection costs
    /// one wake-up less, and one that never sends holds no descriptor and no `maxConnections`
    /// slot until the kernel gives up waiting (after its first SYN-ACK retransmission, about a
    /// second); then it is accepted and `requestTimeout` applies as to any other.
    private static let deferAccept = ChannelOptions.Types.SocketOption(
        level: .tcp, name: .init(rawValue: TCP_DEFER_ACCEPT))
    private static let deferAcceptSeconds: SocketOptionValue = 1

    /// Fails the initializer of a connection over the listener's limit, which closes it.
    private struct ConnectionLimitReached: Error {}

    /// Closes the listening sockets: new connections are refused; open ones continue.
    package func stopAccepting() async {
        for channel in self.serverChannels {
            try? await channel.close()
        }
    }

    /// Stops accepting, lets open connections finish their current request (idle ones close
    /// at once) for up to `timeout`, then closes whatever is left.
    ///
    /// - Returns: the connections and requests that were cut at the deadline (zero when all
    ///   finished in time).
    package func drain(within timeout: Duration) async -> (connections: Int, requests: Int) {
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

/// A listener could not bind its address.
package struct HTTPListenerBindError: Error, Sendable, CustomStringConvertible {
    /// What the system said (address in use, not local, no permission).
    package var reason: String

    package var description: String { self.reason }
}
