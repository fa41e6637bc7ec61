import Agent
import AgentConfiguration
internal import ArgumentParser
import CurlHTTP
import UServiceSupport

/// `uservice drain`: the exec form of the preStop hook.
struct DrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Ask the running agent to drain, and wait until its drain delay is over.",
        discussion: """
            Posts to the agent's /prestop endpoint, which answers once lifecycle.drainDelay has \
            passed. Use it as an exec preStop hook: command: ["/uservice", "drain"].
            """
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "The agent's preStop URL (default: the health listener of the config, on loopback).")
    var url: String?

    @Option(help: "How long to wait for the answer, e.g. 30s.", transform: { try ConfigDuration(parsing: $0) })
    var timeout: ConfigDuration = .seconds(60)

    func run() throws {
        let target = try self.url ?? Self.defaultURL(self.configOptions.load().config.health.listener)
        // The agent serves plain HTTP (on loopback, by default); https for a --url through a proxy.
        let request = CurlRequest(
            method: "POST", url: target, timeout: self.timeout.duration, protocols: [.http, .https])
        do {
            let response = try CurlConnection().perform(request)
            guard response.status == 200 else {
                LineWriter.standardError.writeLine("uservice drain: \(target) answered \(response.status)")
                throw ExitCode.failure
            }
            print(String(decoding: response.body, as: UTF8.self))
        } catch let error as CurlError {
            LineWriter.standardError.writeLine("uservice drain: \(target): \(error)")
            throw ExitCode.failure
        }
    }

    /// `http://127.0.0.1:PORT/prestop`, or the listener's own address when it is not a wildcard.
    static func defaultURL(_ listener: ListenerConfig) -> String {
        let host: String
        switch listener.address {
        case "0.0.0.0": host = "127.0.0.1"
        case "::", "[::]": host = "[::1]"
        case let address where address.contains(":"): host = "[\(address)]"
        case let address: host = address
        }
        return "http://\(host):\(listener.port)/prestop"
    }
}
