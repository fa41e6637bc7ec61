import Logging

/// Writes one log line per data-plane request through swift-log.
struct AccessLog: Sendable {
    let logger: Logger

    func record(_ request: HTTPRequest, status: UInt, bytes: Int, nanoseconds: Int64) {
        let milliseconds = Double(nanoseconds / 1000) / 1000
        self.logger.info(
            "\(request.method.rawValue) \(request.path) \(status)",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.path)",
                "status": "\(status)",
                "bytes": "\(bytes)",
                "duration_ms": "\(milliseconds)",
                "remote": "\(request.remoteAddress)",
            ]
        )
    }
}
