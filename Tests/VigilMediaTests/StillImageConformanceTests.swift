import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// The PDQ reference hashes were computed on the RGB the `ffmpeg` tool prints, so the reader must
/// reproduce those bytes exactly for still images.
@Suite("Still images match the ffmpeg command-line tool")
struct StillImageConformanceTests {
    static let images = [
        "q0003.jpg", "q0004.jpg", "q0122.jpg", "q0291.jpg", "q0746.jpg", "q1050.jpg", "q2821.jpg",
        "shrink-a-lot.jpg", "small.jpg", "square-128x128.jpg", "square-256x256.jpg", "wee.jpg",
    ]

    @Test("RGB bytes are identical to ffmpeg's rawvideo output", .timeLimit(.minutes(3)), arguments: images)
    func matchesFFmpegCLI(name: String) async throws {
        let path = Fixtures.path("pdq-images/\(name)")
        let expected = try await Fixtures.ffmpegRGB(path)

        // Default options, as a caller hashing a picture would use them.
        let reader = try MediaReader(url: path)
        #expect(reader.info.isStillImage)
        #expect(reader.info.codecName == "mjpeg")
        let frame = try #require(try reader.nextFrame())
        #expect(frame.pixels.count == frame.width * frame.height * 3)
        #expect(frame.width == reader.info.width && frame.height == reader.info.height)
        let differing = zip(frame.pixels, expected).filter { $0 != $1 }.count
        #expect(differing == 0 && frame.pixels.count == expected.count, "\(differing) bytes differ")
        #expect(try reader.nextFrame() == nil)
    }
}
