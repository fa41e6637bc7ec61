import HTTPServer
import NIOHTTP1
import Testing

@Suite("requests")
struct HTTPRequestTests {
    private func request(_ uri: String) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: uri))
    }

    @Test func pathAndQuery() {
        let request = self.request("/readyz?exclude=a,b&exclude=c%2Dd&x=1+2&flag")
        #expect(request.path == "/readyz")
        #expect(request.queryValues("exclude", splittingCommas: true) == ["a", "b", "c-d"])
        #expect(request.queryValues("x") == ["1 2"])
        #expect(request.queryValues("flag") == [""])
        #expect(request.queryValues("missing").isEmpty)
        #expect(self.request("/plain").queryValues("a").isEmpty)
        #expect(self.request("/bad?x=%zz%4").queryValues("x") == [""])
    }

    @Test func anAbsoluteFormTargetIsRoutedByItsPath() {
        let request = self.request("http://host:8080/echo?x=1")
        #expect(request.path == "/echo")
        #expect(request.queryValues("x") == ["1"])
        #expect(self.request("HTTPS://host").path == "/")
        #expect(self.request("http://host?x=2").path == "/")
        #expect(self.request("http://host?x=2").queryValues("x") == ["2"])
        #expect(self.request("http://host/a://b/c").path == "/a://b/c")
        #expect(self.request("*").path == "*")
        #expect(self.request("/a:b://c").path == "/a:b://c")
        #expect(self.request("x?y://z/p").path == "x")
        #expect(self.request("").path == "/")
    }
}
