import Foundation
import Testing

@Suite("uservice parse")
struct ParseCommandTests {
    @Test("the corpus has at least 25 invalid configs")
    func corpusSize() {
        #expect(Corpus.files("invalid").count >= 25)
    }

    @Test("invalid config prints exactly its positioned errors and exits 1", arguments: Corpus.files("invalid"))
    func invalidConfig(name: String) throws {
        let expected = try Corpus.expectedDiagnostics(of: name)
        #expect(!expected.isEmpty, "\(name) declares no # expect: lines")
        let result = try UServiceBinary.run(["parse", "--config", name], workingDirectory: Corpus.directory("invalid"))
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.split(separator: "\n").map(String.init) == expected)
    }

    @Test("valid config exits 0 and its YAML output parses back to the same config", arguments: Corpus.files("valid"))
    func validConfigRoundTrips(name: String) throws {
        let directory = Corpus.directory("valid")
        let first = try UServiceBinary.run(["parse", "--config", name], workingDirectory: directory)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardError.isEmpty)

        for output in ["yaml", "json"] {
            let rendered = try UServiceBinary.run(
                ["parse", "-c", name, "--output", output], workingDirectory: directory)
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).\(output)")
            try rendered.standardOutput.write(to: copy, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: copy) }
            let again = try UServiceBinary.run(["parse", "-c", copy.path])
            #expect(again.status == 0, "\(output): \(again.standardError)")
            #expect(again.standardOutput == first.standardOutput, "\(output) output did not round-trip")
        }
    }

    @Test("json output is JSON with every section")
    func jsonOutput() throws {
        let result = try UServiceBinary.run(
            ["parse", "-c", "full.yaml", "-o", "json"], workingDirectory: Corpus.directory("valid"))
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let sections: Set = ["service", "health", "server", "lifecycle", "kubernetes", "logging", "plugins"]
        #expect(Set(object.keys) == (Corpus.kafkaBuild ? sections.union(["kafka"]) : sections))
        let lifecycle = try #require(object["lifecycle"] as? [String: Any])
        #expect(lifecycle["shutdownTimeout"] as? String == "1m30s")
        let server = try #require(object["server"] as? [String: Any])
        #expect(server["address"] as? String == "::")
    }

    @Test("without a config it prints the embedded defaults")
    func defaults() throws {
        let result = try UServiceBinary.run(["parse"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("  port: 7979\n"))
        #expect(result.standardOutput.contains("  drainDelay: 5s\n"))
    }

    @Test("USERVICE_CONFIG names the config file when --config is absent")
    func environmentOverride() throws {
        let directory = Corpus.directory("invalid")
        let result = try UServiceBinary.run(
            ["parse"], environment: ["USERVICE_CONFIG": "port-conflict.yaml"], workingDirectory: directory)
        #expect(result.status == 1)
        #expect(result.standardError == "port-conflict.yaml:4:9: error: port 9000 is already used by health.port\n")

        let flagWins = try UServiceBinary.run(
            ["parse", "-c", "\(Corpus.directory("valid"))/full.yaml"],
            environment: ["USERVICE_CONFIG": "port-conflict.yaml"], workingDirectory: directory)
        #expect(flagWins.status == 0)
    }

    @Test("a missing or unreadable file is a positioned error, not a crash")
    func unreadable() throws {
        let missing = try UServiceBinary.run(["parse", "-c", "/nonexistent/uservice.yaml"])
        #expect(missing.status == 1)
        #expect(
            missing.standardError
                == "/nonexistent/uservice.yaml:1:1: error: cannot read config file: No such file or directory\n")

        let directory = try UServiceBinary.run(["parse", "-c", "/"])
        #expect(directory.standardError == "/:1:1: error: cannot read config file: Is a directory\n")

        let endless = try UServiceBinary.run(["parse", "-c", "/dev/zero"])
        #expect(endless.status == 1)
        #expect(
            endless.standardError.hasSuffix("error: cannot read config file: the file is larger than 1048576 bytes\n"))
    }

    @Test("usage errors exit 64")
    func usageError() throws {
        let result = try UServiceBinary.run(["parse", "--output", "xml"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("xml"))
        #expect(try UServiceBinary.run(["frobnicate"]).status == 64)
    }
}
