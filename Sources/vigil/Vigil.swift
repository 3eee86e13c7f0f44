import ArgumentParser
import VigilDaemon

/// The `vigil` command: finds known material in video streams and files.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Find known material in live video and files by perceptual hash (PDQ / vPDQ).",
        discussion: """
            Vigil decodes images, video files and streams with FFmpeg, hashes sampled frames with PDQ \
            (bit-identical to Meta's reference) and matches them against hash lists.
            Exit status: 0 success, 2 when any input could not be processed.
            """,
        version: VigilVersion.current,
        subcommands: [HashCommand.self, ScanCommand.self, MatchCommand.self, BankCommand.self, ServeCommand.self, IngestCommand.self]
    )
}
