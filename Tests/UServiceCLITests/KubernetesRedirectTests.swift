import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Kubernetes client speaks https only and never follows a redirect: the bearer token
/// goes to the configured API server and nowhere else.
@Suite("kubernetes redirects", .serialized)
struct KubernetesRedirectTests {
    @Test("a 307 from the API server is not followed, even to https on the same server; it is final")
    func redirectsAreNotFollowed() throws {
        let api = try FakeAPIServer()
        try api.inject("redirect", method: "POST")
        let agent = try RunningAgent(config: KubernetesTests.config(api), environment: api.environment())
        let warning = agent.waitForLog { ($0["message"] as? String)?.contains("cannot report a Ready event") == true }
        #expect(warning != nil, "the Ready event was given up at once")
        usleep(1_000_000)  // time in which a retry or a followed redirect would have come
        let requests = try api.requests()
        #expect(!requests.contains { $0.path.hasPrefix("/redirected") }, "\(requests.map(\.path))")
        #expect(requests.filter { $0.method == "POST" }.map(\.status) == ["307", "307"])
        let started = agent.logLines.first {
            ($0["message"] as? String)?.contains("cannot report a Started event") == true
        }
        let error = started?["error"] as? String ?? ""
        #expect(
            error.contains(
                "307 TemporaryRedirect: redirect to https://127.0.0.1:\(api.apiPort)/redirected/apis/events.k8s.io/")
                && error.contains("not followed"), "\(error)")
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }
}
