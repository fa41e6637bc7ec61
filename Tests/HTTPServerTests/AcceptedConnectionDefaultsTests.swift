import NIOCore
import NIOPosix
import Testing

/// The read bounds of an accepted connection are SwiftNIO's defaults, which the listener does
/// not set again on every connection (setting an option costs each one): the docs promise them
/// (one read cycle holds at most 4 reads of 64 KiB), so a SwiftNIO that changed them fails here.
@Suite("accepted connection defaults")
struct AcceptedConnectionDefaultsTests {
    @Test func anAcceptedConnectionReadsAtMostFourTimes64KiBPerWakeUp() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let options = group.next().makePromise(of: (reads: UInt, largestRead: Int?).self)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = try #require(channel.syncOptions)
                    let allocator = try sync.getOption(.recvAllocator) as? AdaptiveRecvByteBufferAllocator
                    options.succeed((try sync.getOption(.maxMessagesPerRead), allocator?.maximum))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: try #require(server.localAddress)).get()
        let (reads, largestRead) = try await options.futureResult.get()
        #expect(reads == 4)
        #expect(largestRead == 64 * 1024)
        try await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }
}
