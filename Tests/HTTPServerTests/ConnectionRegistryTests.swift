import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPServer

/// A listener's admission of connections, in-process: the limit, a slot freed by a close, and
/// the requests in flight a drain reports. (A drain's wait is tested end to end.)
@Suite("connection registry")
struct ConnectionRegistryTests {
    @Test func connectionsPastTheLimitAreRefusedAndAClosedOneFreesItsSlot() throws {
        let registry = ConnectionRegistry(listener: "test")
        let channels = (0..<3).map { _ in EmbeddedChannel() }
        #expect(registry.admit(channels[0], limit: 2))
        #expect(registry.admit(channels[1], limit: 2))
        #expect(!registry.admit(channels[2], limit: 2), "the third is over the limit")
        #expect(registry.counts.connections == 2)

        try channels[0].close().wait()
        channels[0].embeddedEventLoop.run()  // the close future's callbacks
        #expect(registry.counts.connections == 1)
        #expect(registry.admit(channels[2], limit: 2), "the closed one's slot is free again")
        for channel in channels.dropFirst() { _ = try? channel.finish() }
    }

    @Test func requestsInFlightAreCounted() {
        let registry = ConnectionRegistry(listener: "test")
        registry.requestStarted()
        registry.requestStarted()
        registry.requestFinished()
        #expect(registry.counts.requests == 1)
    }
}
