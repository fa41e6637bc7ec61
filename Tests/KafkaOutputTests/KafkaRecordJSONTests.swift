// The KafkaOutput target is empty without the `Kafka` trait, and so are its tests.
#if Kafka
@testable import Agent
import K8sClient
@testable import KafkaOutput
import Testing
import UServiceSupport

@Suite("Kafka record JSON")
struct KafkaRecordJSONTests {
    let time = UTCTimestamp(seconds: 1_764_196_460, nanoseconds: 123_456_000)

    @Test func eventCarriesTheKubernetesEventFields() {
        let event = AgentEvent(.configRejected, note: "bad \"port\"\n", time: self.time)
        #expect(
            KafkaRecordJSON.render(.event(event), service: "web", pod: "web-1")
                == #"{"kind":"event","time":"2025-11-26T22:34:20.123456Z","service":"web","pod":"web-1","reason":"ConfigRejected","type":"Warning","action":"ReloadConfig","note":"bad \"port\"\n"}"#
        )
    }

    @Test func requestCarriesTheAccessLogFields() {
        let request = AccessRecord(
            time: self.time, method: "POST", path: "/echo", status: 200, bytes: 1024, nanoseconds: 1_234_567,
            remote: "[::1]:5000")
        #expect(
            KafkaRecordJSON.render(.request(request), service: "web", pod: "web-1")
                == #"{"kind":"request","time":"2025-11-26T22:34:20.123456Z","service":"web","pod":"web-1","method":"POST","path":"/echo","status":200,"bytes":1024,"durationMs":1.234,"remote":"[::1]:5000"}"#
        )
    }

    @Test(arguments: [
        ([UInt8]("héllo".utf8), #""output":"héllo""#),
        ([], #""output":"""#),
        ([0xFF], #""outputBase64":"/w==""#),
        ([0xFF, 0x00], #""outputBase64":"/wA=""#),
        ([0xFF, 0x00, 0x41, 0x42], #""outputBase64":"/wBBQg==""#),
    ])
    func pluginOutputIsTextOrBase64(body: [UInt8], field: String) {
        let output = PluginOutput(time: self.time, plugin: "echo", status: 200, contentType: "text/plain", body: body)
        let json = KafkaRecordJSON.render(.pluginOutput(output), service: "web", pod: "web-1")
        #expect(
            json.hasPrefix(
                #"{"kind":"pluginOutput","time":"2025-11-26T22:34:20.123456Z","service":"web","pod":"web-1","plugin":"echo","status":200,"contentType":"text/plain","#
            ))
        #expect(json.hasSuffix(field + "}"))
    }
}
#endif
