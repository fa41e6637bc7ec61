// What a SwiftNIO server costs per connection before it does any HTTP: it listens as the
// agent does (one SO_REUSEPORT socket per event loop, TCP_DEFER_ACCEPT, a 512 backlog) and
// answers every read with one fixed answer like the agent's /readyz, then closes. No parsing,
// routing, deadlines, metrics or logs (nor the agent's AcceptPause, a pass-through on the
// listening channel): scripts/bench measures it with `Connection: close`, the way kubelet
// probes, as the floor under the agent.
//
//   NIOFloor PORT
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes the fixed answer for whatever arrived, and closes once it has left.
final class FixedAnswer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: ByteBuffer

    init(_ answer: ByteBuffer) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(self.wrapOutboundOut(self.answer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

guard CommandLine.arguments.count == 2, let port = Int(CommandLine.arguments[1]) else {
    fatalError("usage: NIOFloor PORT")
}
let body = #"{"status":"pass","checks":{"lifecycle":{"status":"pass","output":"ready","time":"2026-12-01T00:00:00Z"}}}"#
let answer = ByteBuffer(
    string: "HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: \(body.utf8.count)\r\n"
        + "connection: close\r\n\r\n\(body)")
let deferAccept = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_DEFER_ACCEPT))
let reusePort = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_REUSEPORT))

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
var listeners: [any Channel] = []
for loop in group.makeIterator() {
    let listener = try ServerBootstrap(group: loop, childGroup: loop)
        .serverChannelOption(.backlog, value: 512)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(reusePort, value: 1)
        .serverChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.syncOptions?.setOption(deferAccept, value: 1) }
        }
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(FixedAnswer(answer))
            }
        }
        .bind(host: "127.0.0.1", port: port).wait()
    listeners.append(listener)
}
try listeners[0].closeFuture.wait()
