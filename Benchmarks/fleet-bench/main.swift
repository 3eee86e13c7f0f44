import Foundation
import Logging

/// The fleet benchmark: simulated nodes running the real lease rounds against a PostgreSQL of
/// their own (see README.md). Prints a table, then one JSON line; progress goes to stderr.

func printError(_ text: String) {
    FileHandle.standardError.write(Data("\(text)\n".utf8))
}

let options: FleetBenchOptions
do {
    options = try FleetBenchOptions(CommandLine.arguments.dropFirst())
} catch {
    printError("vigil-fleet-bench: \(error)")
    exit(2)
}

var logger = Logger(label: "vigil-fleet-bench")
// Migration notices and pool chatter would bury the results; failures still show.
logger.logLevel = .error

let benchmark = Task {
    try await FleetBenchmark(options: options, logger: logger).run { printError($0) }
}

// Ctrl-C or a kill cancels the run, which stops the server on its way out instead of leaving it.
var interruptions: [any DispatchSourceSignal] = []
for signalNumber in [SIGINT, SIGTERM] {
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler { [benchmark] in benchmark.cancel() }
    source.resume()
    interruptions.append(source)
}

do {
    let report = try await benchmark.value
    print(report.table)
    print(try report.json())
} catch {
    printError("vigil-fleet-bench: \(error)")
    exit(1)
}
