import Agent
import AgentConfiguration
internal import ArgumentParser
import CurlHTTP

/// `uservice version`: the agent's version and the C libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of uservice and of the libraries it uses."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(name: .shortAndLong, help: "Output format.")
    var output: Output = .text

    func run() {
        var libraries: [ConfigValue.Member] = [
            .init("libcurl", .string(Libcurl.version)),
            .init("libyaml", .string(YAMLParser.libyamlVersion)),
        ]
        if let librdkafka = BuildFeatures.librdkafkaVersion {
            libraries.append(.init("librdkafka", .string(librdkafka)))
        }
        switch self.output {
        case .text:
            let list = libraries.map { "\($0.key) \(Self.text($0.value))" }.joined(separator: ", ")
            let kafka = BuildFeatures.librdkafkaVersion == nil ? "" : ", with Kafka"
            print("uservice \(AgentVersion.current) (\(list))\(kafka)")
        case .json:
            let facts: [ConfigValue.Member] =
                [.init("version", .string(AgentVersion.current))] + libraries
                + [.init("kafka", .bool(BuildFeatures.librdkafkaVersion != nil))]
            print(ConfigValue.object(facts).renderJSON(), terminator: "")
        }
    }

    private static func text(_ value: ConfigValue) -> String {
        if case .string(let text) = value { return text }
        return ""
    }
}
