import Foundation
import Testing
import VigilMedia
import VigilTestSupport

/// Test inputs made once per test run with the real `ffmpeg` tool, in a private temporary folder.
struct SyntheticMedia: Sendable {
    /// 320x240, 25 fps, 3 s, H.264 with a key frame every 25 frames (75 frames, 3 key frames).
    let clip: String
    /// The same clip with its index at the front, so a truncated copy still opens.
    let fastStartClip: String
    /// 160x120 H.264 in Matroska with irregular timestamps: 0.0...0.9 s every 0.1 s, then every 0.35 s.
    let variableRateClip: String
    /// Two MPEG-TS segments back to back: 25 frames of 320x240, then 25 frames of 160x120.
    let resolutionChange: String
    /// 160x120 Motion JPEG, 40 frames, where every fifth frame (10 of 50) has its header wiped.
    let corruptMJPEG: String
    /// One second of a sine tone in M4A, no video.
    let audioOnly: String
    let directory: URL

    /// Built on first use; every suite shares the same files. A task rather than a plain lazy value,
    /// so suites waiting for the files suspend instead of holding a cooperative thread.
    private static let shared = Task { try await SyntheticMedia() }

    static func get() async throws -> SyntheticMedia {
        try await shared.value
    }

    private init() async throws {
        guard let directory = syntheticMediaDirectory else {
            throw SubprocessError(description: "cannot create a temporary directory for generated media")
        }
        self.directory = directory
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        clip = path("clip.mp4")
        fastStartClip = path("clip-faststart.mp4")
        variableRateClip = path("vfr.mkv")
        resolutionChange = path("resolution-change.ts")
        corruptMJPEG = path("corrupt.avi")
        audioOnly = path("tone.m4a")

        let testSource = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"]
        let h264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25"]
        try await ffmpeg(["-t", "3"] + testSource + h264 + [clip])
        try await ffmpeg(["-t", "3"] + testSource + h264 + ["-movflags", "+faststart", fastStartClip])
        try await ffmpeg([
            "-t", "4", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
            "-vf", "settb=1/1000,setpts='if(lt(N,10),N*0.1,1+(N-10)*0.35)/TB'",
            "-fps_mode", "passthrough", "-r", "1000", "-c:v", "libx264", "-g", "5", variableRateClip,
        ])

        let large = path("large.ts")
        let small = path("small.ts")
        try await ffmpeg(["-t", "1"] + testSource + h264 + [large])
        try await ffmpeg(["-t", "1", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"] + h264 + [small])
        var joined = try Data(contentsOf: URL(fileURLWithPath: large))
        joined.append(try Data(contentsOf: URL(fileURLWithPath: small)))
        try joined.write(to: URL(fileURLWithPath: resolutionChange))

        let cleanMJPEG = path("clean.avi")
        try await ffmpeg(["-t", "2", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-c:v", "mjpeg", "-q:v", "5", cleanMJPEG])
        try Self.wipeEveryFifthJPEG(from: cleanMJPEG, to: corruptMJPEG)

        try await ffmpeg(["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", audioOnly])
    }

    /// Zeroes the first 400 bytes of every fifth embedded JPEG, starting with the third, so the
    /// decoder finds no picture there while the container stays intact.
    private static func wipeEveryFifthJPEG(from source: String, to destination: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        var starts: [Int] = []
        var offset = 0
        while offset + 2 < bytes.count {
            if bytes[offset] == 0xFF, bytes[offset + 1] == 0xD8, bytes[offset + 2] == 0xFF {
                starts.append(offset)
                offset += 3
            } else {
                offset += 1
            }
        }
        for (number, start) in starts.enumerated() where number % 5 == 2 {
            let end = min(start + 400, bytes.count)
            bytes.replaceSubrange(start..<end, with: repeatElement(0, count: end - start))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: destination))
    }
}

/// Where the generated media live; removed when the test process exits.
private let syntheticMediaDirectory: URL? = {
    guard let url = try? Fixtures.temporaryDirectory() else { return nil }
    atexit {
        if let url = syntheticMediaDirectory { try? FileManager.default.removeItem(at: url) }
    }
    return url
}()

/// Runs the `ffmpeg` tool quietly, overwriting outputs, and fails loudly if it fails. (This
/// module's ``SyntheticMedia`` hides the shared one of the same name.)
func ffmpeg(_ arguments: [String], timeout: TimeInterval = 30) async throws {
    try await VigilTestSupport.SyntheticMedia.ffmpeg(arguments, timeout: timeout)
}

/// Runs `ffprobe` and returns its standard output.
func ffprobe(_ arguments: [String], timeout: TimeInterval = 30) async throws -> String {
    let output = try await runProcess("ffprobe", ["-v", "error"] + arguments, timeout: timeout)
    guard output.status == 0 else {
        throw SubprocessError(description: "ffprobe \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
    }
    return output.stdoutText
}

/// What a test needs to know about a frame, without keeping its pixels alive.
struct FrameSummary: Sendable, Equatable {
    let index: Int
    let ptsSeconds: Double
    let isKeyframe: Bool
    let width: Int
    let height: Int

    init(_ frame: Frame) {
        #expect(frame.pixels.count == frame.width * frame.height * 3)
        index = frame.index
        ptsSeconds = frame.ptsSeconds
        isKeyframe = frame.isKeyframe
        width = frame.width
        height = frame.height
    }
}

/// Reads a reader to its end, checking each frame's buffer size on the way.
func readAll(_ reader: MediaReader) throws(MediaError) -> [FrameSummary] {
    var frames: [FrameSummary] = []
    while let frame = try reader.nextFrame() {
        frames.append(FrameSummary(frame))
    }
    return frames
}

/// Opens `url` and reads it to its end.
func readAll(_ url: String, sampling: SamplingMode) throws(MediaError) -> [FrameSummary] {
    try readAll(MediaReader(url: url, options: .init(sampling: sampling)))
}
