import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// What a sampled video picture becomes: luma read straight from the decoder's plane (stretched
/// to full range), luma through swscale when the picture is shrunk or has no luma plane, or the
/// bit-exact RGB picture.
@Suite("Picture conversion")
struct PictureConverterTests {
    /// A 128x96 picture, black on the left half and white on the right, losslessly encoded in
    /// `pixelFormat` with `codec`, one second at 5 fps, in `directory`.
    static func halves(codec: [String], pixelFormat: String, name: String, in directory: URL) async throws -> String {
        let path = directory.appendingPathComponent(name).path
        try await ffmpeg([
            "-f", "lavfi", "-i", "color=c=black:s=128x96:r=5:d=1",
            "-vf", "drawbox=x=64:y=0:w=64:h=96:color=white:t=fill,format=\(pixelFormat)",
        ] + codec + [path])
        return path
    }

    static func firstFrame(_ path: String, format: PictureFormat, maxDimension: Int? = nil) async throws -> Frame {
        var options = StreamOptions(policy: .exact)
        options.policy.pictureFormat = format
        options.sampleMaxDimension = maxDimension
        let session = try StreamSession(url: path, options: options)
        defer { session.stop() }
        for try await frame in session.frames { return frame }
        throw MediaError.noFrames(url: path)
    }

    /// Luma at the centre of the left (black) and right (white) halves.
    static func halfLevels(_ frame: Frame) -> (black: Int, white: Int) {
        let row = frame.height / 2
        return (Int(frame.pixels[row * frame.width + frame.width / 4]), Int(frame.pixels[row * frame.width + 3 * frame.width / 4]))
    }

    @Test("video-range luma (black 16, white 235) becomes full range, read from the plane or shrunk by swscale")
    func videoRange() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.halves(codec: ["-c:v", "libx264", "-qp", "0"], pixelFormat: "yuv420p", name: "video-range.mp4", in: directory)
        let frame = try await Self.firstFrame(path, format: .luma8)
        #expect(frame.format == .luma8 && frame.width == 128 && frame.height == 96 && frame.pixels.count == 128 * 96)
        let levels = Self.halfLevels(frame)
        #expect(levels.black == 0 && levels.white == 255, "\(levels)")
        let small = try await Self.firstFrame(path, format: .luma8, maxDimension: 64)
        #expect(small.width == 64 && small.height == 48 && small.pixels.count == 64 * 48)
        let smallLevels = Self.halfLevels(small)
        #expect(smallLevels.black <= 1 && smallLevels.white >= 254, "\(smallLevels)")
    }

    @Test("video-range levels stretch to full range exactly as rounding (level - 16) · 255 / 219 does")
    func videoRangeStretch() {
        for level in 0...255 {
            let expected = min(255, max(0, (Double(level - 16) * 255 / 219).rounded()))
            #expect(Int(PictureConverter.fullRange(videoLevel: UInt8(level))) == Int(expected), "level \(level)")
        }
    }

    @Test("full-range luma is kept as it is")
    func fullRange() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.halves(codec: ["-c:v", "mjpeg", "-q:v", "1"], pixelFormat: "yuvj420p", name: "full-range.avi", in: directory)
        let levels = Self.halfLevels(try await Self.firstFrame(path, format: .luma8))
        #expect(levels.black <= 1 && levels.white >= 254, "\(levels)")
    }

    @Test("a picture without a luma plane (RGB-coded H.264, decoded as planar GBR) is converted to luma")
    func rgbVideo() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.halves(codec: ["-c:v", "libx264rgb", "-qp", "0"], pixelFormat: "rgb24", name: "rgb.mkv", in: directory)
        let frame = try await Self.firstFrame(path, format: .luma8)
        #expect(frame.format == .luma8 && frame.pixels.count == 128 * 96)
        let levels = Self.halfLevels(frame)
        #expect(levels.black <= 1 && levels.white >= 254, "\(levels)")
    }

    @Test("the exact policy keeps RGB pictures; a still image is RGB whatever the policy asks")
    func rgbKept() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.halves(codec: ["-c:v", "libx264", "-qp", "0"], pixelFormat: "yuv420p", name: "exact.mp4", in: directory)
        let frame = try await Self.firstFrame(path, format: .rgb24)
        #expect(frame.format == .rgb24 && frame.pixels.count == 128 * 96 * 3)
        let still = try await Self.firstFrame(Fixtures.root.appendingPathComponent("Samples/mandelbrot-still.png").path, format: .luma8)
        #expect(still.format == .rgb24)
    }
}
