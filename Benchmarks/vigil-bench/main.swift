import Foundation

/// Vigil's benchmark driver. Each subcommand prints CSV that `Benchmarks/run_benchmarks.py` sets
/// side by side with a reference implementation measured in the same run.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func nanoseconds() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

do {
    let arguments = CommandLine.arguments.dropFirst()
    switch arguments.first {
    case "pdq": try PDQBenchmark(arguments.dropFirst()).run()
    case "index": try IndexBenchmark(arguments.dropFirst()).run()
    case "drift": try await DriftBenchmark(arguments.dropFirst()).run()
    default: throw BenchmarkError("usage: vigil-bench pdq|index|drift ...")
    }
} catch {
    FileHandle.standardError.write(Data("vigil-bench: \(error)\n".utf8))
    exit(2)
}
