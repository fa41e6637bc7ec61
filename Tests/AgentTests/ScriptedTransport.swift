import CurlHTTP
import Foundation
import K8sClient
import Logging
import Synchronization

@testable import Agent

/// A Kubernetes transport that answers from a script, in order, and records every request:
/// what the Event reporter and the client are tested against in-process (the Python API
/// server stand-in serves the end-to-end tests).
final class ScriptedTransport: KubernetesTransport {
    /// One scripted answer.
    enum Answer: Sendable {
        /// A response with this status, headers and body.
        case status(Int, headers: [(name: String, value: String)] = [], body: String = "{}")
        /// 2xx with the request's own body as the stored object (what `create` and `patch` return).
        case echo(Int)
        /// No response: the connection was reset.
        case reset
        /// Runs `action` (a token rotation, say), then answers `answer`.
        indirect case after(@Sendable () -> Void, Answer)
        /// A 200 stream (a watch): its head, each piece in turn, then `end`.
        case stream([String], end: StreamEnd)
    }

    /// How a scripted stream ends.
    enum StreamEnd: Sendable {
        /// The server ends it cleanly.
        case clean
        /// The connection is reset.
        case reset
        /// It stays open, silent, until the transfer is cancelled.
        case held
    }

    /// A request as the transport received it.
    struct Received: Sendable {
        var method: String
        /// The URL's path, after the API server's address.
        var path: String
        var authorization: String?
        var body: String
        var at: ContinuousClock.Instant
    }

    private struct State {
        var answers: [Answer]
        var received: [Received] = []
    }

    private let state: Mutex<State>
    private let apiServer: String

    init(apiServer: String, answers: [Answer]) {
        self.apiServer = apiServer
        self.state = Mutex(State(answers: answers))
    }

    /// A Kubernetes thread whose client, for pod `demo/web-0`, sends to this transport and
    /// reads its token from `tokenPath`.
    func calls(tokenPath: String) throws -> KubernetesCalls {
        let cluster = ClusterConfig(
            apiServer: self.apiServer, tokenPath: tokenPath, caPath: "/nonexistent/ca.crt", namespace: "demo",
            podName: "web-0")
        return KubernetesCalls(
            client: try KubernetesClient(cluster: cluster, logger: Logger(label: "test"), transport: self))
    }

    /// The requests received so far.
    var received: [Received] {
        self.state.withLock { $0.received }
    }

    /// True once every scripted answer has been given.
    var isExhausted: Bool {
        self.state.withLock { $0.answers.isEmpty }
    }

    func perform(_ request: CurlRequest, cancellation: TransferCancellation?) throws(CurlError) -> CurlResponse {
        try Self.respond(self.next(for: request), to: request)
    }

    func stream(
        _ request: CurlRequest,
        cancellation: TransferCancellation?,
        receive: (UnsafeRawBufferPointer) -> Bool
    ) throws(CurlError) -> CurlResponse {
        var answer = try self.next(for: request)
        while case .after(let action, let then) = answer {
            action()
            answer = then
        }
        let pieces: [String]
        let end: StreamEnd
        switch answer {
        case .stream(let streamed, let streamEnd):
            (pieces, end) = (streamed, streamEnd)
        case .status(let status, _, let body) where (200..<300).contains(status):
            (pieces, end) = ([body], .clean)
        default:
            return try Self.respond(answer, to: request)
        }
        let stopped = CurlError(code: 23, message: "the receiver stopped the transfer")
        guard receive(UnsafeRawBufferPointer(start: nil, count: 0)) else { throw stopped }
        for piece in pieces {
            let delivered = Array(piece.utf8).withUnsafeBytes { receive($0) }
            guard delivered else { throw stopped }
        }
        switch end {
        case .clean:
            return CurlResponse(status: 200)
        case .reset:
            throw CurlError(code: 56, message: "Recv failure: Connection reset by peer")
        case .held:
            while cancellation?.isCancelled != true { usleep(1000) }
            throw .cancelled()
        }
    }

    private func next(for request: CurlRequest) throws(CurlError) -> Answer {
        let answer: Answer? = self.state.withLock { state in
            state.received.append(
                Received(
                    method: request.method, path: String(request.url.dropFirst(self.apiServer.count)),
                    authorization: request.headers.first { $0.hasPrefix("Authorization: ") }.map {
                        String($0.dropFirst(15))
                    },
                    body: String(decoding: request.body, as: UTF8.self), at: .now))
            return state.answers.isEmpty ? nil : state.answers.removeFirst()
        }
        guard let answer else {
            throw CurlError(code: 7, message: "the script has no answer for \(request.method) \(request.url)")
        }
        return answer
    }

    private static func respond(_ answer: Answer, to request: CurlRequest) throws(CurlError) -> CurlResponse {
        switch answer {
        case .status(let status, let headers, let body):
            // As CurlConnection hands them over: names lowercased.
            let fields = headers.map { (name: $0.name.lowercased(), value: $0.value) }
            return CurlResponse(status: status, headers: fields, body: Array(body.utf8))
        case .echo(let status):
            return CurlResponse(status: status, body: request.body)
        case .reset:
            throw CurlError(code: 56, message: "Recv failure: Connection reset by peer")
        case .after(let action, let answer):
            action()
            return try Self.respond(answer, to: request)
        case .stream:
            throw CurlError(code: 2, message: "a stream answers only a streaming request")
        }
    }
}
