import NIOCore
import NIOHTTP1

/// The data port's serving functions.
///
/// | path | method | answer |
/// |---|---|---|
/// | `/` | GET | `{"service":…,"version":…,"state":…}` |
/// | `/echo` | POST | the request body, with its content type |
/// | `/work?ms=N` | GET | waits N ms without blocking (0 ≤ N ≤ `server.maxWork`), then `{"workedMs":N}` |
struct DataPlaneResponder: HTTPResponder {
    let settings: RuntimeSettings
    let lifecycle: LifecycleController

    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponse> {
        switch request.path {
        case "/":
            guard request.method == .GET else {
                return eventLoop.makeSucceededFuture(.methodNotAllowed(allowed: [.GET], route: "/"))
            }
            let name = self.settings.current.service.name
            let body =
                "{\"service\":\(JSONString.quoted(name)),\"version\":\"\(AgentVersion.current)\",\"state\":\"\(self.lifecycle.state.rawValue)\"}"
            return eventLoop.makeSucceededFuture(.json(.ok, body, route: "/"))
        case "/echo":
            guard request.method == .POST else {
                return eventLoop.makeSucceededFuture(.methodNotAllowed(allowed: [.POST], route: "/echo"))
            }
            let contentType = request.head.headers.first(name: "content-type") ?? "application/octet-stream"
            let response = HTTPResponse(
                status: .ok, headers: ["content-type": contentType], body: request.body, route: "/echo")
            return eventLoop.makeSucceededFuture(response)
        case "/work":
            return self.work(request, on: eventLoop)
        default:
            return eventLoop.makeSucceededFuture(.error(.notFound, "no such endpoint", route: "unmatched"))
        }
    }

    private func work(_ request: HTTPRequest, on eventLoop: any EventLoop) -> EventLoopFuture<HTTPResponse> {
        guard request.method == .GET else {
            return eventLoop.makeSucceededFuture(.methodNotAllowed(allowed: [.GET], route: "/work"))
        }
        let maxWork = self.settings.current.server.maxWork.milliseconds
        guard let text = request.queryValues("ms").first, let milliseconds = Int(text), (0...maxWork).contains(milliseconds)
        else {
            let message = "ms must be a whole number of milliseconds from 0 to \(maxWork)"
            return eventLoop.makeSucceededFuture(.error(.badRequest, message, route: "/work"))
        }
        return eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            HTTPResponse.json(.ok, "{\"workedMs\":\(milliseconds)}", route: "/work")
        }.futureResult
    }
}
