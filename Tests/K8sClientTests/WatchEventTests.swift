import FoundationEssentials
import Testing

@testable import K8sClient

@Suite("watch events")
struct WatchEventTests {
    static func decode(_ line: String) throws -> WatchEvent<ConfigMap> {
        try JSONDecoder().decode(WatchEvent<ConfigMap>.self, from: Data(line.utf8))
    }

    @Test func changesCarryTheObjectAndItsVersion() throws {
        let event = try Self.decode(
            #"{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"cfg","resourceVersion":"42"},"data":{"uservice.yaml":"service: {name: a}\n"}}}"#
        )
        guard case .modified(let configMap) = event else {
            Issue.record("not MODIFIED: \(event)")
            return
        }
        #expect(configMap.data?["uservice.yaml"] == "service: {name: a}\n")
        #expect(event.resourceVersion == "42")
        #expect(event.type == "MODIFIED")
        #expect(
            try Self.decode(#"{"type":"DELETED","object":{"metadata":{"name":"cfg","resourceVersion":"43"}}}"#).type
                == "DELETED")
    }

    @Test func aBookmarkMovesTheVersionWithoutAnObject() throws {
        let event = try Self.decode(
            #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12345"}}}"#
        )
        #expect(event.resourceVersion == "12345")
        #expect(event.type == "BOOKMARK")
    }

    @Test func anErrorCarriesTheStatus() throws {
        let event = try Self.decode(
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#
        )
        guard case .error(let status) = event else {
            Issue.record("not ERROR: \(event)")
            return
        }
        #expect(status.code == 410 && status.reason == "Expired")
        #expect(event.resourceVersion == nil)
    }

    @Test func anUnknownTypeIsSkippedNotAnError() throws {
        let event = try Self.decode(#"{"type":"SYNC","object":{}}"#)
        #expect(event.type == "UNKNOWN" && event.resourceVersion == nil)
        #expect(throws: DecodingError.self) { try Self.decode(#"{"object":{}}"#) }
    }
}
