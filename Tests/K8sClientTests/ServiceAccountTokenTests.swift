import Foundation
import Testing

@testable import K8sClient

@Suite("service-account token")
struct ServiceAccountTokenTests {
    @Test func readsTrimsAndKeepsTheTokenUntilDue() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())")
        defer { try? FileManager.default.removeItem(at: file) }
        try "first\n".write(to: file, atomically: true, encoding: .utf8)
        let token = ServiceAccountToken(path: file.path, refreshInterval: .seconds(60))
        #expect(try token.current() == "first")
        try "second".write(to: file, atomically: true, encoding: .utf8)
        #expect(try token.current() == "first", "not due for a re-read yet")
        token.invalidate()
        #expect(try token.current() == "second", "a 401 makes the next read fresh")
    }

    @Test func aFailedReReadKeepsTheOldToken() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())")
        try "kept".write(to: file, atomically: true, encoding: .utf8)
        let token = ServiceAccountToken(path: file.path, refreshInterval: .zero)
        #expect(try token.current() == "kept")
        try FileManager.default.removeItem(at: file)
        #expect(try token.current() == "kept")
    }

    @Test func aTokenThatWasNeverReadableIsAnError() {
        let token = ServiceAccountToken(path: "/nonexistent/token")
        #expect(throws: KubernetesError.token("cannot read /nonexistent/token: No such file or directory")) {
            try token.current()
        }
    }
}
