import Foundation
import VigilHash
import VigilMedia
import VigilTestSupport

/// The repository's sample clips, and a bank made from the "known" one.
enum SampleClips {
    static let known = Fixtures.root.appendingPathComponent("Samples/mandelbrot-zoom.mp4").path
    static let unrelated = Fixtures.root.appendingPathComponent("Samples/game-of-life.mp4").path

    /// A vPDQ bank of the known clip's key frames, as `vigil hash` writes it.
    static func knownBank(in directory: URL) async throws -> String {
        let path = directory.appendingPathComponent("mandelbrot-zoom.txt").path
        let hasher = PDQHasher(lumaPrecision: .single)
        var lines: [String] = []
        let reader = try MediaReader(url: known, options: MediaReaderOptions(sampling: .keyframes))
        while let frame = try reader.nextFrame() {
            let result = frame.pixels.withUnsafeBufferPointer { buffer in
                hasher.hash(PixelView(base: buffer.baseAddress!, width: frame.width, height: frame.height))
            }
            lines.append("\(frame.index),\(result.quality),\(result.hash.hex),\(String(format: "%.3f", frame.ptsSeconds))")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The known clip's first key frame, as the daemon's reader gives it.
    static func firstKeyframe() throws -> Frame {
        let reader = try MediaReader(url: known, options: MediaReaderOptions(sampling: .keyframes))
        guard let frame = try reader.nextFrame() else { throw SubprocessError(description: "\(known) has no key frame") }
        return frame
    }
}
