import Foundation
import Testing

/// Plugins through the C ABI: the two sample plugins, and every way loading one can fail.
@Suite("plugins", .serialized)
struct PluginTests {
    static let buildFolder = URL(fileURLWithPath: UServiceBinary.path).deletingLastPathComponent()
    static let echo = buildFolder.appendingPathComponent("libEchoPluginC.so").path
    static let hello = buildFolder.appendingPathComponent("libHelloPluginSwift.so").path
    static let header = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CUServicePlugin/include").path

    /// Compiles C source into a shared object with the system C compiler, as a plugin author would.
    static func compilePlugin(_ source: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("plugin.c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("libplugin.so").path
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-shared", "-fPIC", "-I", Self.header, "-o", output, file.path]
        try compiler.run()
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else { throw CompileFailure() }
        return output
    }

    struct CompileFailure: Error {}

    /// A C plugin whose descriptor and init are given as source fragments.
    static func plugin(abi: String = "USERVICE_PLUGIN_ABI_VERSION", initBody: String) -> String {
        """
        #include <uservice_plugin.h>
        #include <stddef.h>
        static int plugin_init(const uservice_host *host, void **state, const char **error) { \(initBody) }
        static int plugin_process(void *s, const uint8_t *r, size_t n, uservice_response *out) { return 1; }
        static void plugin_release(void *s, uservice_response *out) {}
        static const uservice_plugin descriptor = {
            \(abi), "broken", "0.0.1", plugin_init, plugin_process, plugin_release, NULL, NULL
        };
        const uservice_plugin *uservice_plugin_entry(void) { return &descriptor; }
        """
    }

    static func start(plugins: [String]) throws -> UServiceBinary.Result {
        try UServiceBinary.run(
            ["start", "--log-format", "text", "-c", "/dev/stdin"] + plugins.flatMap { ["--plugin", $0] },
            stdin: "health: {port: 0}\nserver: {port: 0}\n", timeout: 20)
    }

    @Test("the C and the Swift sample plugins load, serve, log through the host and report health")
    func samplePlugins() throws {
        let agent = try RunningAgent(
            config: "health: {port: 0}\nserver: {port: 0}\nplugins: [\(Self.echo)]\n",
            arguments: ["--plugin", Self.hello])
        let echoed = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/plugins/echo", body: "quiet please")
        #expect(echoed.status == 200)
        #expect(echoed.body == "QUIET PLEASE")
        #expect(echoed.headers["content-type"] == "text/plain; charset=utf-8")
        let greeted = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/plugins/hello", body: "Swift \"6\"")
        #expect(greeted.json?["hello"] as? String == "Swift \"6\"")
        #expect(
            try HTTPTestClient.request(port: agent.dataPort, method: "POST", path: "/plugins/nope", body: "x").status
                == 404)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/plugins/echo").status == 405)

        for (name, version) in [("echo", "1.0.0"), ("hello", "1.0.0")] {
            let loaded = agent.logLines.first {
                $0["message"] as? String == "plugin loaded" && $0["plugin"] as? String == name
            }
            #expect(loaded?["version"] as? String == version)
            #expect(
                agent.logLines.contains {
                    $0["logger"] as? String == "plugin.\(name)" && $0["message"] as? String == "\(name) plugin ready"
                })
        }
        let live = agent.waitForLog(timeout: 10) { _ in
            let checks =
                (try? HTTPTestClient.request(port: agent.healthPort, path: "/livez"))?.json?["checks"]
                as? [String: [String: Any]]
            return checks?["plugin-echo"]?["output"] as? String == "echoing"
        }
        #expect(live != nil, "the echo plugin's health() is a liveness check")

        agent.signal(SIGHUP)
        #expect(agent.waitForLog { $0["message"] as? String == "config reloaded" } != nil)
        #expect(
            !agent.logLines.contains {
                ($0["message"] as? String)?.contains("plugins changes only on restart") == true
            },
            "--plugin plugins are not mistaken for a config change")

        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
        #expect(
            agent.logLines.contains {
                $0["logger"] as? String == "plugin.echo" && $0["message"] as? String == "echo plugin stopping"
            })
    }

    @Test("plugin log lines follow the host's log level")
    func logLevelFilter() throws {
        let agent = try RunningAgent(
            config: "health: {port: 0}\nserver: {port: 0}\nlogging: {level: info}\n",
            arguments: ["--plugin", Self.echo])
        _ = try HTTPTestClient.request(port: agent.dataPort, method: "POST", path: "/plugins/echo", body: "x")
        #expect(!agent.logLines.contains { $0["message"] as? String == "echoed a request" })
        let verbose = try RunningAgent(
            config: "health: {port: 0}\nserver: {port: 0}\nlogging: {level: debug}\n",
            arguments: ["--plugin", Self.echo])
        _ = try HTTPTestClient.request(port: verbose.dataPort, method: "POST", path: "/plugins/echo", body: "x")
        #expect(verbose.waitForLog { $0["message"] as? String == "echoed a request" }?["level"] as? String == "debug")
    }

    @Test("a plugin that cannot load stops start with exit 1 and a one-line reason")
    func loadErrors() throws {
        let notShared = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-plugin-\(UUID()).so").path
        try "just text".write(toFile: notShared, atomically: true, encoding: .utf8)
        let noEntry = try Self.compilePlugin("int something_else(void) { return 1; }")
        let oldABI = try Self.compilePlugin(Self.plugin(abi: "99", initBody: "return 0;"))
        let failing = try Self.compilePlugin(Self.plugin(initBody: "*error = \"no license key\"; return 7;"))
        let crashing = try Self.compilePlugin(Self.plugin(initBody: "volatile int *nowhere = NULL; return *nowhere;"))

        let cases: [([String], String)] = [
            (["/nonexistent/libx.so"], "plugin /nonexistent/libx.so: no such file"),
            ([notShared], "plugin \(notShared): not a loadable shared object: "),
            ([noEntry], "plugin \(noEntry): no uservice_plugin_entry symbol (is it a uservice plugin?)"),
            ([oldABI], "plugin \(oldABI): built for plugin ABI 99, this uservice speaks ABI 1"),
            ([failing], "plugin \(failing): init failed with code 7: no license key"),
            ([Self.echo, Self.echo], "two plugins are named echo"),
        ]
        for (plugins, reason) in cases {
            let result = try Self.start(plugins: plugins)
            #expect(result.status == 1, "\(reason)")
            let critical = result.standardError.split(separator: "\n").filter { $0.contains(" critical ") }
            #expect(critical.count == 1 && critical[0].contains("cannot start: \(reason)"), "\(result.standardError)")
        }

        let crashed = try Self.start(plugins: [crashing])
        #expect(crashed.status == 1)
        #expect(crashed.standardError.hasSuffix("uservice: cannot start: plugin \(crashing) crashed in init\n"))
    }
}
