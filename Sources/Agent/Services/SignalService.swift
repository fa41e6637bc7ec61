import HTTPServer
internal import Logging
internal import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns signals into lifecycle actions: SIGTERM and SIGINT drain (a second one exits at
/// once, logging what it cuts), SIGHUP reloads the config.
struct SignalService: Service {
    let lifecycle: LifecycleController
    let reloader: ConfigReloader
    let dataListener: HTTPListener
    let logger: Logger
    let signals: UnixSignalsSequence

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await signal in self.signals {
                switch signal {
                case .sighup:
                    self.reloader.reload(.signal)
                default:
                    self.terminate(signal)
                }
            }
        }
    }

    private func terminate(_ signal: UnixSignal) {
        switch self.lifecycle.requestDrain(by: .signal("\(signal)")) {
        case .startDraining:
            break
        case .alreadyDraining:
            self.logger.info("already draining", metadata: ["signal": "\(signal)"])
        case .forceExit:
            let cut = self.dataListener.activity
            self.logger.critical(
                "second termination signal: exiting now",
                metadata: [
                    "signal": "\(signal)", "connections": .stringConvertible(cut.connections),
                    "requests": .stringConvertible(cut.requests),
                ])
            exit(1)
        }
    }
}
