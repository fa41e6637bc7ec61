import NIOCore
import NIOPosix
import Testing

/// The read bounds of an accepted connection are SwiftNIO's defaults, which the listener does
/// not set again on every connection (setting an option costs each one): the docs promise them
/// (one read cycle holds at most 4 reads of 64 KiB), so a SwiftNIO that changed them fails here.
@Suite("accepted connection defaults")
struct AcceptedConnectionDefaultsTests {
    @Test func anAcceptedConnectionReadsAtMostFourTimes64KiBPerWakeUp() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let options = group.next().makePromise(of: (reads: UInt, largestRead: Int?).self)
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                options.completeWith(
                    Result {
                        let sync = try #require(channel.syncOptions)
                        let allocator = try sync.getOption(.recvAllocator) as? AdaptiveRecvByteBufferAllocator
                        return (try sync.getOption(.maxMessagesPerRead), allocator?.maximum)
                    })
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let client = try ClientBootstrap(group: group).connect(to: try #require(server.localAddress)).wait()
        defer { try? client.close().wait() }
        let (reads, largestRead) = try options.futureResult.wait()
        #expect(reads == 4)
        #expect(largestRead == 64 * 1024)
    }
}
