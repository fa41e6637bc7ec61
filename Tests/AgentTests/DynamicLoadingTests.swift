import Foundation
import Testing

@testable import Agent

/// The check behind "plugins cannot be loaded by the static build", run in real executables:
/// the same C function linked statically (as `-static-executable` links uservice) and
/// dynamically, each printing what it finds.
@Suite("dynamic loading detection")
struct DynamicLoadingTests {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CPluginHost")

    @Test("a static executable has no program interpreter; a dynamic one has", arguments: [true, false])
    func staticAndDynamicExecutables(linkedStatically: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dynamic-loading-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = folder.appendingPathComponent("main.c")
        try """
        #include <stdio.h>
        #include "uservice_dynamic_loading.h"
        int main(void) { printf("%d\\n", uservice_has_program_interpreter()); return 0; }
        """.write(to: main, atomically: true, encoding: .utf8)
        let program = folder.appendingPathComponent("probe").path
        let compile = try Self.run(
            "/usr/bin/env",
            ["cc"] + (linkedStatically ? ["-static"] : []) + [
                "-I", Self.source.appendingPathComponent("include").path, "-o", program, main.path,
                Self.source.appendingPathComponent("uservice_dynamic_loading.c").path,
            ])
        try #require(compile.status == 0, "cc failed: \(compile.output)")
        let probe = try Self.run(program, [])
        #expect(probe.status == 0)
        #expect(probe.output == (linkedStatically ? "0\n" : "1\n"))
        if !linkedStatically {
            // Started through the loader by hand, the program still counts as dynamic.
            let loader = "/lib64/ld-linux-x86-64.so.2"
            if FileManager.default.fileExists(atPath: loader) {
                #expect(try Self.run(loader, [program]).output == "1\n")
            }
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
