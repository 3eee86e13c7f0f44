import ArgumentParser
import Foundation
import VigilDaemon

/// `vigil ingest`: the child process `vigil serve` runs for each live stream when it isolates
/// ingest. Not for people: its input is the daemon's JSON and its output a binary protocol.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read one live stream for the daemon (run by vigil serve, not by hand).",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("The stream and its settings, as JSON.", valueName: "JSON"))
    var configuration: String

    func run() async throws {
        let parsed: IngestChild.Configuration
        do {
            parsed = try JSONDecoder().decode(IngestChild.Configuration.self, from: Data(configuration.utf8))
        } catch {
            throw ValidationError("--configuration is not an ingest configuration: \(error)")
        }
        await IngestChild.run(parsed)
    }
}
