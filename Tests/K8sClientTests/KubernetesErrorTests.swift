import CurlHTTP
import FoundationEssentials
import Testing

@testable import K8sClient

@Suite("API errors and models")
struct KubernetesErrorTests {
    @Test func statusBodiesBecomeTypedErrors() {
        let body = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"events is forbidden",\
            "reason":"Forbidden","details":{"kind":"events"},"code":403}
            """
        let error = KubernetesClient.error(from: CurlResponse(status: 403, body: Array(body.utf8)))
        #expect(error == .status(code: 403, reason: "Forbidden", message: "events is forbidden", retryAfter: nil))
        #expect(!error.isRetryable)
        #expect(error.description == "403 Forbidden: events is forbidden")
    }

    @Test func retryAfterComesFromTheHeaderOrTheStatusDetails() {
        let body =
            #"{"kind":"Status","status":"Failure","reason":"TooManyRequests","details":{"retryAfterSeconds":7},"code":429}"#
        let fromDetails = KubernetesClient.error(from: CurlResponse(status: 429, body: Array(body.utf8)))
        #expect(fromDetails.retryAfter == .seconds(7))
        let fromHeader = KubernetesClient.error(
            from: CurlResponse(status: 429, headers: [("retry-after", "3")], body: Array(body.utf8)))
        #expect(fromHeader.retryAfter == .seconds(3))
        #expect(fromHeader.isRetryable)
    }

    @Test func aRedirectIsAFinalErrorNamingWhereItPointed() {
        let error = KubernetesClient.error(
            from: CurlResponse(status: 307, headers: [("location", "http://evil.example/steal")], body: []))
        #expect(
            error
                == .status(
                    code: 307, reason: "HTTP 307", message: "redirect to http://evil.example/steal not followed",
                    retryAfter: nil))
        #expect(!error.isRetryable)
        #expect(!KubernetesError.transport(CurlError(code: 1, message: "not allowed")).isRetryable)
    }

    @Test func aBodyThatIsNoStatusIsQuoted() {
        let error = KubernetesClient.error(from: CurlResponse(status: 502, body: Array("Bad Gateway".utf8)))
        #expect(error == .status(code: 502, reason: "HTTP 502", message: "Bad Gateway", retryAfter: nil))
        #expect(error.isRetryable)
    }

    @Test func whatIsWorthRetrying() {
        func status(_ code: Int) -> KubernetesError { .status(code: code, reason: "", message: "", retryAfter: nil) }
        #expect([401, 429, 500, 503].allSatisfy { status($0).isRetryable })
        #expect(![400, 403, 404, 409, 422].contains { status($0).isRetryable })
        #expect(KubernetesError.transport(CurlError(code: 7, message: "Failed to connect")).isRetryable)
        #expect(!KubernetesError.transport(CurlError(code: 42, message: "cancelled")).isRetryable)
    }

    @Test func eventsEncodeAsEventsV1WithoutEmptyFields() throws {
        let event = Event(
            metadata: .init(name: "web-1.1", namespace: "demo"), eventTime: "2026-11-27T02:17:18.670943Z",
            reportingController: "uservice", reportingInstance: "web-1", action: "Start", reason: "Started",
            type: .normal, note: nil,
            regarding: ObjectReference(apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "demo", uid: "u-1"))
        let json = String(decoding: KubernetesClient.encode(event), as: UTF8.self)
        #expect(json.contains(#""apiVersion":"events.k8s.io/v1""#))
        #expect(json.contains(#""kind":"Event""#))
        #expect(json.contains(#""type":"Normal""#))
        #expect(json.contains(#""uid":"u-1""#))
        #expect(!json.contains("series") && !json.contains("note") && !json.contains("resourceVersion"))
    }
}
