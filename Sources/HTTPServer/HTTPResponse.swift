package import NIOCore
package import NIOHTTP1
import UServiceSupport

/// A whole HTTP response from a responder.
package struct HTTPResponse: Sendable {
    package var status: HTTPResponseStatus
    package var headers: HTTPHeaders
    package var body: ByteBuffer
    /// The route template the request matched (`/work`, `/livez/{check}`, `unmatched`): the
    /// `route` label of `http_server_request_duration_seconds`, so its cardinality stays bounded.
    package var route: String

    package init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer(), route: String)
    {
        self.status = status
        self.headers = headers
        self.body = body
        self.route = route
    }

    /// A response with a text body of the given content type.
    package static func text(
        _ status: HTTPResponseStatus,
        _ body: String,
        contentType: String = "text/plain; charset=utf-8",
        route: String
    ) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["content-type": contentType], body: ByteBuffer(string: body), route: route)
    }

    /// A JSON response.
    package static func json(_ status: HTTPResponseStatus, _ json: String, route: String) -> HTTPResponse {
        .text(status, json, contentType: "application/json", route: route)
    }

    /// `{"error":"…"}` with the given status.
    package static func error(_ status: HTTPResponseStatus, _ message: String, route: String) -> HTTPResponse {
        .json(status, "{\"error\":" + JSONString.quoted(message) + "}", route: route)
    }

    /// 405 with the `Allow` header listing what the route accepts.
    package static func methodNotAllowed(allowed: [HTTPMethod], route: String) -> HTTPResponse {
        var response = HTTPResponse.error(.methodNotAllowed, "method not allowed", route: route)
        response.headers.add(name: "allow", value: allowed.map(\.rawValue).joined(separator: ", "))
        return response
    }
}
