internal import AgentConfiguration
import HTTPServer
internal import NIOCore
import NIOHTTP1
import NIOPosix
internal import UServiceSupport

/// The data port's serving functions.
///
/// | path | method | answer |
/// |---|---|---|
/// | `/` | GET | `{"service":…,"version":…,"state":…}` |
/// | `/echo` | POST | the request body, with its content type |
/// | `/work?ms=N` | GET | waits N ms without blocking (0 ≤ N ≤ `server.maxWork`), then `{"workedMs":N}` |
/// | `/plugins/NAME` | POST | the plugin's answer to the request body, computed on the plugin threads; 503 past `server.maxPluginCalls`, 504 after `server.pluginTimeout` |
struct DataPlaneResponder: HTTPResponder {
    let settings: RuntimeSettings
    let lifecycle: LifecycleController
    let plugins: [String: LoadedPlugin]
    let pluginCalls: PluginCallRunner
    /// Takes plugin answers when the sink publishes them.
    let records: (any RecordSink)?

    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        switch request.path {
        case "/":
            guard request.method == .GET else {
                return .now(.methodNotAllowed(allowed: [.GET], route: "/"))
            }
            let name = self.settings.current { $0.service.name }
            let body =
                "{\"service\":\(JSONString.quoted(name)),\"version\":\"\(AgentVersion.current)\",\"state\":\"\(self.lifecycle.state.rawValue)\"}"
            return .now(.json(.ok, body, route: "/"))
        case "/echo":
            guard request.method == .POST else {
                return .now(.methodNotAllowed(allowed: [.POST], route: "/echo"))
            }
            let contentType = request.head.headers.first(name: "content-type") ?? "application/octet-stream"
            let response = HTTPResponse(
                status: .ok, headers: ["content-type": contentType], body: request.body, route: "/echo")
            return .now(response)
        case "/work":
            return self.work(request, on: eventLoop)
        case let path where path.hasPrefix("/plugins/"):
            return self.plugin(String(path.dropFirst("/plugins/".count)), request, on: eventLoop)
        default:
            return .now(.error(.notFound, "no such endpoint", route: "unmatched"))
        }
    }

    private func work(_ request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        guard request.method == .GET else {
            return .now(.methodNotAllowed(allowed: [.GET], route: "/work"))
        }
        let maxWork = self.settings.current { $0.server.maxWork.milliseconds }
        guard let text = request.queryValues("ms").first, let milliseconds = Int(text),
            (0...maxWork).contains(milliseconds)
        else {
            let message = "ms must be a whole number of milliseconds from 0 to \(maxWork)"
            return .now(.error(.badRequest, message, route: "/work"))
        }
        let work = eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            HTTPResponse.json(.ok, "{\"workedMs\":\(milliseconds)}", route: "/work")
        }
        return .later(work.futureResult)
    }

    private func plugin(_ name: String, _ request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        let route = "/plugins/{name}"
        guard let plugin = self.plugins[name] else {
            return .now(.error(.notFound, "no plugin named \(name)", route: route))
        }
        guard request.method == .POST else { return .now(.methodNotAllowed(allowed: [.POST], route: route)) }
        let timeout = TimeAmount.milliseconds(Int64(self.settings.current { $0.server.pluginTimeout.milliseconds }))
        let call = self.pluginCalls.call(plugin, body: request.body, timeout: timeout, on: eventLoop)
        let answer = call.map { [records, pluginCalls] outcome in
            switch outcome {
            case .busy:
                var response = HTTPResponse.error(
                    .serviceUnavailable, "\(pluginCalls.limit) plugin calls are running; try again", route: route)
                response.headers.add(name: "retry-after", value: "1")
                return response
            case .timedOut:
                return HTTPResponse.error(.gatewayTimeout, "plugin \(name) did not answer in time", route: route)
            case .answered(nil):
                return HTTPResponse.error(.internalServerError, "plugin \(name) failed", route: route)
            case .answered(let response?):
                return Self.httpResponse(from: response, plugin: name, route: route, records: records)
            }
        }
        return .later(answer)
    }

    /// The HTTP answer for what the plugin returned, published as a record when the sink takes
    /// them. A status outside 200-599 cannot be a final answer: it becomes 502. A 204 or 304
    /// is sent without the body the plugin may have given (HTTP allows none).
    private static func httpResponse(
        from response: PluginResponse,
        plugin name: String,
        route: String,
        records: (any RecordSink)?
    ) -> HTTPResponse {
        guard (200...599).contains(response.status) else {
            return .error(.badGateway, "plugin \(name) answered with invalid status \(response.status)", route: route)
        }
        records.publish(.pluginOutput) {
            .pluginOutput(
                PluginOutput(
                    time: .now(), plugin: name, status: response.status, contentType: response.contentType,
                    body: response.body))
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(response.body)
        return HTTPResponse(
            status: HTTPResponseStatus(statusCode: response.status), headers: ["content-type": response.contentType],
            body: buffer, route: route)
    }
}
