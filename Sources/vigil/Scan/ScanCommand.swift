import ArgumentParser
import Foundation
import VigilDetect
import VigilMatch
import VigilMedia

/// `vigil scan`: replays files or streams through the matching pipeline.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Match files or streams against hash lists and give a verdict per input.",
        discussion: """
            Each input is sampled (key frames by default), hashed and matched against every bank. \
            A frame within the threshold of a still-image entry is a finding on its own; frames matching \
            video entries count toward the video-level rule (vPDQ style: at least 80% of the input's \
            good-quality frames must match the known video).
            Prints one line per matching frame, then a verdict per input; --json prints JSON lines \
            ({"type":"match",...} and {"type":"verdict",...}).
            A live input's failed connections are reported on stderr as they happen; it is given up \
            after 5 attempts in a row that read nothing, at once when it names something refused (a \
            playlist pointing at a local file), and when --max-duration of wall-clock time (plus the \
            time to connect) passes without media.
            Exit status: 0 no match, 1 match found, 2 error (a match wins over an error elsewhere, \
            since it is the finding that needs action; errors are still reported on stderr).

            Examples:
              vigil scan upload.mp4 --bank known.csv
              vigil scan rtmp://127.0.0.1/live/cam --bank banks/ --max-duration 60s --json
              vigil scan --recording https://media.example/uploads/7f3a.mp4 --bank known.csv
            """
    )

    @Argument(help: "Files or stream URLs (HLS, RTMP, RTSP, SRT, HTTP, UDP).")
    var inputs: [String]

    @OptionGroup(title: "Banks")
    var banks: BankOptions

    @OptionGroup(title: "Sampling")
    var sampling: SamplingOptions

    @Flag(help: "Also query the 7 rotations and mirror images of every frame.")
    var dihedral = false

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    @Flag(help: ArgumentHelp(
        "Read HTTP(S) inputs as recordings (an upload, a VOD), as the daemon's scan jobs do: as fast as they decode, in step with detection, never reconnected; live protocols are refused.",
        discussion: "Without it an HTTP(S) input is a live stream, sampled as it arrives."))
    var recording = false

    @Option(help: ArgumentHelp("Stop each input after this much media time (e.g. 60s, 5m): needed for live streams.", valueName: "DURATION"))
    var maxDuration: MediaDuration?

    @OptionGroup(title: "Hashing")
    var hashing: HashingOptions

    /// How long an input runs before its progress line shows; hidden, for tests whose inputs
    /// scan faster than the default delay on a fast machine.
    @Option(help: .hidden)
    var progressDelayMilliseconds: Int?

    func run() async throws {
        let output = LineWriter(FileHandle.standardOutput)
        let errors = LineWriter(FileHandle.standardError)
        let matchers = try banks.loadMatchersOrExit(errors: errors)
        var scanner = InputScanner(matchers: matchers, sampling: sampling.mode, dihedral: dihedral,
                                   maxDuration: maxDuration?.seconds, luma: hashing.luma, jobs: hashing.jobs)
        scanner.onDemand = recording
        let progress = ScanProgress.onTerminal(
            json: json, delay: progressDelayMilliseconds.map { .milliseconds(max(0, $0)) } ?? ScanProgress.delay)
        if let progress { scanner.onProgress = { progress.update($0) } }
        // A live input's trouble is told as it happens, not only when the scan gives up.
        scanner.onInterruption = { reason in
            progress?.clear()
            FileHandle.standardError.write(Data("vigil: \(reason.description); trying again\n".utf8))
        }
        let reporter = ScanReporter(json: json, output: output)
        var anyMatch = false
        var anyError = false
        for input in inputs {
            do {
                let verdict = try await scanner.scan(input) { finding in
                    progress?.clear()
                    progress?.matched()
                    reporter.report(finding)
                    // On a terminal a finding shows at once, not under the progress line.
                    if progress != nil { output.flush() }
                }
                progress?.finish()
                reporter.report(verdict)
                anyMatch = anyMatch || verdict.matched
            } catch {
                progress?.finish()
                anyError = true
                errors.write("vigil: \(InputFailure.describe(error, input: input))")
            }
            output.flush()
            errors.flush()
        }
        if anyMatch { throw ExitCode(1) }
        if anyError { throw ExitCode(2) }
    }
}
