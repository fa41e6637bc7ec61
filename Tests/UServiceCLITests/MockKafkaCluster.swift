#if Kafka
import Foundation

/// A one-broker Kafka cluster on loopback (`Tests/Tools/kafka_mock.c`, librdkafka's mock
/// cluster), read back with `kcat` as an independent consumer.
final class MockKafkaCluster: @unchecked Sendable {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/kafka_mock.c").path

    /// The helper, compiled once per test run with the system C compiler.
    static let helper: Result<String, StartFailure> = {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kafka_mock-\(UUID())").path
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-O1", "-o", output, source, "-lrdkafka"]
        do {
            try compiler.run()
        } catch {
            return .failure(StartFailure(description: "cannot run cc: \(error)"))
        }
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else {
            return .failure(StartFailure(description: "cc failed on \(source) (is librdkafka-dev installed?)"))
        }
        return .success(output)
    }()

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let topic: String
    /// `host:port` of the broker.
    let bootstrap: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    init(topic: String = "uservice-test") throws {
        self.topic = topic
        self.process.executableURL = URL(fileURLWithPath: try Self.helper.get())
        self.process.arguments = [topic]
        self.process.standardInput = self.input
        self.process.standardOutput = self.output
        try self.process.run()
        self.bootstrap = self.output.fileHandleForReading.readLine()
        guard self.bootstrap.contains(":") else {
            self.process.terminate()
            throw StartFailure(description: "the mock Kafka cluster did not start; it printed: \(self.bootstrap)")
        }
    }

    deinit {
        try? self.input.fileHandleForWriting.close()
        self.process.waitUntilExit()
    }

    /// `down`, `up` or `rtt MS` (see the helper); waits for its answer.
    func command(_ command: String) throws {
        self.input.fileHandleForWriting.write(Data("\(command)\n".utf8))
        let answer = self.output.fileHandleForReading.readLine()
        guard answer == "ok" else { throw StartFailure(description: "mock cluster: \(command): \(answer)") }
    }

    /// One record as kcat read it.
    struct Record {
        var key: String
        var value: [String: Any]
    }

    /// Every record in the topic, in order, read from the beginning by kcat.
    func records() throws -> [Record] {
        let kcat = Process()
        kcat.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        kcat.arguments = [
            "kcat", "-C", "-b", self.bootstrap, "-t", self.topic, "-o", "beginning", "-e", "-q", "-f", "%k\\t%s\\n",
        ]
        let pipe = Pipe()
        kcat.standardOutput = pipe
        try kcat.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        kcat.waitUntilExit()
        guard kcat.terminationStatus == 0 else {
            throw StartFailure(description: "kcat exited with \(kcat.terminationStatus)")
        }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2,
                let value = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any]
            else { throw StartFailure(description: "not a keyed JSON record: \(line)") }
            return Record(key: String(parts[0]), value: value)
        }
    }
}
#endif
