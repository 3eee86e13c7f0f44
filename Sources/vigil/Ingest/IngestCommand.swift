import ArgumentParser
import Foundation
import VigilDaemon

/// `vigil ingest`: the child process `vigil serve` runs for each live stream, and for each scan
/// job (`--scan`), when it isolates ingest. Not for people: its input is the daemon's JSON and its output a binary protocol.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read one live stream or scan job for the daemon (run by vigil serve, not by hand).",
        shouldDisplay: false)

    @Option(help: ArgumentHelp(
        "The id of the stream or scan job, to tell the processes apart; the stream and its settings come as one JSON line on standard input.",
        valueName: "ID"))
    var stream: String

    @Option(help: ArgumentHelp("The process id of the daemon that runs this one.", valueName: "PID"))
    var daemon: Int32?

    @Flag(help: "Read a scan job's input to its end (the configuration is a scan's).")
    var scan = false

    func run() async throws {
        if scan {
            do {
                await ScanChild.run(try ScanChild.readConfiguration(), label: stream)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let parsed: IngestChild.Configuration
        do {
            parsed = try IngestChild.readConfiguration()
        } catch {
            throw ValidationError("\(error)")
        }
        guard parsed.stream.id == stream else {
            throw ValidationError("--stream \(stream.debugDescription) but the configuration is for stream \(parsed.stream.id.debugDescription)")
        }
        await IngestChild.run(parsed)
    }
}
