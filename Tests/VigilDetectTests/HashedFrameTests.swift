import Foundation
import Testing
import VigilDetect
import VigilHash
import VigilMedia
import VigilTestSupport

/// Hashing the decoder's luma plane, the sampling default, against the bit-exact RGB picture
/// `vigil hash` and vPDQ hash.
@Suite("Hashed frames")
struct HashedFrameTests {
    /// Every frame of `path`, exactly, in `format`, hashed with vPDQ's single-precision luma.
    static func hashes(_ path: String, format: PictureFormat) async throws -> [HashedFrame] {
        var options = StreamOptions(media: MediaReaderOptions(sampling: .everyFrame), policy: .exact)
        options.policy.pictureFormat = format
        let session = try StreamSession(url: path, options: options)
        let hasher = PDQHasher(lumaPrecision: .single)
        var hashed: [HashedFrame] = []
        for try await frame in session.frames {
            #expect(frame.format == format)
            hashed.append(HashedFrame(frame, hasher: hasher))
        }
        return hashed
    }

    @Test("luma pictures hash within a few bits of the RGB ones, at the same quality")
    func lumaNearRGB() async throws {
        let path = Fixtures.root.appendingPathComponent("Samples/mandelbrot-zoom.mp4").path
        let rgb = try await Self.hashes(path, format: .rgb24)
        let luma = try await Self.hashes(path, format: .luma8)
        #expect(rgb.count == 300 && luma.count == rgb.count)
        let distances = zip(rgb, luma).map { $0.hash.distance(to: $1.hash) }
        // Measured: at most 4 bits on this clip (BENCHMARKS.md, "Hashing the decoder's luma plane").
        #expect(distances.allSatisfy { $0 <= 8 }, "\(distances.max() ?? -1) bits at most")
        #expect(Double(distances.reduce(0, +)) / Double(max(1, distances.count)) <= 2)
        #expect(zip(rgb, luma).allSatisfy { abs($0.quality - $1.quality) <= 5 })
        #expect(zip(rgb, luma).allSatisfy { $0.index == $1.index && $0.ptsSeconds == $1.ptsSeconds })
    }
}
