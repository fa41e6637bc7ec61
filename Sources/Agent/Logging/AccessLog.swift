import HTTPServer
internal import Logging
import NIOHTTP1
internal import UServiceSupport

/// Writes one log line per data-plane request through swift-log, and publishes it as a
/// record when the record sink takes requests.
struct AccessLog: HTTPRequestLog {
    let logger: Logger
    let records: (any RecordSink)?

    func record(_ request: HTTPRequest, status: UInt, bytes: Int, nanoseconds: Int64) {
        let milliseconds = Double(nanoseconds / 1000) / 1000
        self.logger.info(
            "\(request.method.rawValue) \(request.path) \(status)",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.path)",
                "status": .stringConvertible(status),
                "bytes": .stringConvertible(bytes),
                "durationMs": .stringConvertible(milliseconds),
                "remote": "\(request.remoteAddress)",
            ]
        )
        self.records.publish(.request) {
            .request(
                AccessRecord(
                    time: .now(), method: request.method.rawValue, path: String(request.path), status: status,
                    bytes: bytes,
                    nanoseconds: nanoseconds, remote: "\(request.remoteAddress)"))
        }
    }
}
