// The cost of one call across each boundary a plugin request crosses: a direct Swift call,
// a call through a C function pointer, a call into each dlopen'ed sample plugin (C and Swift)
// through the plugin ABI, and the plugin calling back into the host's logging, with the line
// filtered out by level and with it written.
import Agent
import AgentConfiguration
import Benchmark
import Logging
import UServiceSupport

#if canImport(Glibc)
import Glibc
#endif

/// The work every variant does: upper-case ASCII letters of `input` into `output`.
@inline(never)
func upperCase(_ input: UnsafePointer<UInt8>, _ count: Int, _ output: UnsafeMutablePointer<UInt8>) -> Int32 {
    for index in 0..<count {
        let byte = input[index]
        output[index] = byte >= 97 && byte <= 122 ? byte - 32 : byte
    }
    return 0
}

/// The same work behind a C function pointer, as plugins are called.
let upperCaseC: @convention(c) (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?) -> Int32 = {
    input, count, output in
    guard let input, let output else { return 1 }
    return upperCase(input, count, output)
}

/// Where scripts/bench-suites puts the release builds of the sample plugins.
let pluginFolder = getenv("USERVICE_PLUGIN_DIR").map { String(cString: $0) } ?? "../.build/release"

/// Plugins log through the host's backend; lines go to /dev/null so the benchmark measures
/// the call, not the terminal. The level is switched per benchmark.
let logControl = LogControl(LoggingConfig(level: .info, format: .json))

let benchmarks: @Sendable () -> Void = {
    LoggingSystem.bootstrap { label in
        AgentLogHandler(label: label, control: logControl, writer: LineWriter(descriptor: open("/dev/null", O_WRONLY)))
    }
    // A sample is 1,000 calls, so the clock's own cost does not swamp a call of a few ns;
    // results are per call.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    let request = Array("uservice plugin request".utf8)
    var output = [UInt8](repeating: 0, count: request.count)

    Benchmark("direct Swift call") { benchmark in
        request.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for _ in benchmark.scaledIterations {
                    blackHole(upperCase(input.baseAddress!, input.count, out.baseAddress!))
                }
            }
        }
    }

    Benchmark("@convention(c) function pointer") { benchmark in
        request.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for _ in benchmark.scaledIterations {
                    blackHole(upperCaseC(input.baseAddress, input.count, out.baseAddress))
                }
            }
        }
    }

    /// Loaded once: the benchmarks measure calls, not dlopen.
    func load(_ file: String) -> LoadedPlugin {
        do {
            return try LoadedPlugin(path: "\(pluginFolder)/\(file)")
        } catch {
            fatalError("cannot load the sample plugin (run scripts/bench-suites): \(error)")
        }
    }
    let echo = load("libEchoPluginC.so")
    let hello = load("libHelloPluginSwift.so")

    for (title, plugin) in [("dlopen'ed C plugin (echo)", echo), ("dlopen'ed Swift plugin (hello)", hello)] {
        Benchmark(title) { benchmark in
            logControl.reconfigure(LoggingConfig(level: .info, format: .json))
            for _ in benchmark.scaledIterations {
                blackHole(plugin.process(request))
            }
        }
    }

    for level in [Logger.Level.info, .debug] {
        let title =
            level == .info ? "C plugin + host log callback, filtered out" : "C plugin + host log callback, written"
        Benchmark(title) { benchmark in
            logControl.reconfigure(LoggingConfig(level: level, format: .json))
            for _ in benchmark.scaledIterations {
                blackHole(echo.process(request))
            }
        }
    }
}
