import CUServicePlugin
internal import Logging

/// The host side of a plugin's log callbacks: lines go through the process's one swift-log
/// backend, under a logger labelled with the plugin's name.
final class PluginLogSink: Sendable {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    static func level(_ level: uservice_log_level) -> Logger.Level {
        switch level {
        case USERVICE_LOG_TRACE: .trace
        case USERVICE_LOG_DEBUG: .debug
        case USERVICE_LOG_INFO: .info
        case USERVICE_LOG_NOTICE: .notice
        case USERVICE_LOG_WARNING: .warning
        case USERVICE_LOG_ERROR: .error
        default: .critical
        }
    }

    /// The `uservice_host` table handed to the plugin; `context` is this sink, unretained (the
    /// ``LoadedPlugin`` keeps it alive).
    func hostTable() -> uservice_host {
        uservice_host(
            abi_version: USERVICE_PLUGIN_ABI_VERSION,
            context: Unmanaged.passUnretained(self).toOpaque(),
            log: { context, level, message, length in
                guard let context, let message else { return }
                let sink = Unmanaged<PluginLogSink>.fromOpaque(context).takeUnretainedValue()
                let text = message.withMemoryRebound(to: UInt8.self, capacity: length) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                }
                sink.logger.log(level: PluginLogSink.level(level), "\(text)")
            },
            log_enabled: { context, level in
                guard let context else { return 0 }
                let sink = Unmanaged<PluginLogSink>.fromOpaque(context).takeUnretainedValue()
                return PluginLogSink.level(level) >= sink.logger.logLevel ? 1 : 0
            }
        )
    }
}
