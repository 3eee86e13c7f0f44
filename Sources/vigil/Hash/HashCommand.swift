import ArgumentParser
import Foundation
import VigilDetect
import VigilHash
import VigilMedia

/// `vigil hash FILE...`: PDQ hashes of images and vPDQ hashes of videos.
struct HashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print PDQ hashes of images and vPDQ hashes of video frames.",
        discussion: """
            Images print one line: hash,quality,path
            Videos print one vPDQ line per sampled frame: frameNumber,quality,hash,timestamp
            (timestamp in seconds from the start, 3 decimals). With several inputs, each video's lines \
            are preceded by a '# path' comment line.
            Hashing uses every core while decoding goes on; output stays in frame order. An input that \
            cannot be read gets one line on stderr naming it and the problem; the other inputs are \
            still hashed, and the exit status is 2.

            Examples:
              vigil hash photo.jpg
              vigil hash --every-frame clip.mp4 > clip.vpdq.txt     # Meta's vPDQ output, line for line
              vigil hash --seconds-per-hash 1 --json clip.mp4
            """
    )

    @Argument(help: "Image or video files (any format FFmpeg reads).")
    var files: [String]

    @OptionGroup(title: "Sampling")
    var sampling: SamplingOptions

    @Flag(help: "Also hash the 7 rotations and mirror images; each variant gets its own line with its name appended.")
    var dihedral = false

    @Flag(help: "Print JSON lines instead of CSV.")
    var json = false

    @OptionGroup(title: "Hashing")
    var hashing: HashingOptions

    func run() async throws {
        let output = LineWriter(FileHandle.standardOutput)
        let errors = LineWriter(FileHandle.standardError)
        var failed = 0
        for file in files {
            do {
                try await hash(file, output: output)
            } catch {
                failed += 1
                errors.write("vigil: \(InputFailure.describe(error, input: file))")
            }
            output.flush()
            errors.flush()
        }
        if failed > 0 {
            throw ExitCode(2)
        }
    }

    private func hash(_ file: String, output: LineWriter) async throws {
        // Hashing reads an input once, exactly: a live source is not reconnected when it ends or fails.
        let session = try StreamSession(url: file, options: StreamOptions(
            media: MediaReaderOptions(sampling: sampling.mode), policy: .exact,
            reconnect: ReconnectPolicy(maxAttempts: 0, reconnectAtEnd: false), frameBufferCapacity: 2 * hashing.jobs
        ))
        defer { session.stop() }
        let frames = session.frames
        let kind = try await InputKind.describe(session, path: file, luma: hashing.luma)
        let pool = HasherPool(lumaPrecision: kind.lumaPrecision)

        if kind.info.isStillImage {
            var iterator = frames.makeAsyncIterator()
            guard let frame = try await iterator.next() else {
                throw MediaError.noFrames(url: file)
            }
            let hashed = HashedFrame(frame, pool: pool, dihedral: dihedral)
            write(.image(path: file, width: frame.width, height: frame.height, hash: hashed.hash,
                         quality: hashed.quality, dihedral: hashed.dihedral), to: output)
            return
        }

        if files.count > 1 && !json {
            output.write("# \(file)")
        }
        var frameCount = 0
        try await OrderedHashing(width: hashing.jobs, pool: pool, dihedral: dihedral).run(frames) { frame in
            frameCount += 1
            write(.videoFrame(path: file, frame: frame), to: output)
        }
        if frameCount == 0 {
            throw MediaError.noFrames(url: file)
        }
    }

    private func write(_ record: HashRecord, to output: LineWriter) {
        if json {
            output.write(record.json)
        } else {
            record.textLines.forEach(output.write)
        }
    }
}
