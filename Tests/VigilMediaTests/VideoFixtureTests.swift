import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// The vPDQ reference clip: 1080x1080 H.264, 30 fps, 150 frames, key frames wherever the encoder put them.
@Suite("Reference clip test-padded-dimensions.mp4", .timeLimit(.minutes(3)))
struct VideoFixtureTests {
    let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")

    @Test func info() throws {
        let reader = try MediaReader(url: path)
        let info = reader.info
        #expect(info.url == path)
        #expect(info.width == 1080 && info.height == 1080)
        #expect(info.codecName == "h264")
        #expect(info.frameRate == 30)
        #expect(info.durationSeconds == 5)
        #expect(!info.isStillImage)
    }

    @Test("Every frame: 150 frames, index 0...149, pts = index / 30")
    func everyFrame() throws {
        let reader = try MediaReader(url: path, options: .init(sampling: .everyFrame))
        let frames = try readAll(reader)
        #expect(frames.count == 150)
        #expect(frames.map(\.index) == Array(0..<150))
        for frame in frames {
            #expect(abs(frame.ptsSeconds - Double(frame.index) / 30) < 1e-9)
            #expect(frame.width == 1080 && frame.height == 1080)
        }
        #expect(frames.first?.isKeyframe == true)
        #expect(reader.counters.decodedFrames == 150)
        #expect(reader.counters.packets == 150)
        #expect(reader.counters.decodeErrors == 0)
        #expect(try reader.nextFrame() == nil, "stays at the end")
    }

    @Test("Key frames: exactly the frames ffprobe reports with -skip_frame nokey")
    func keyframes() async throws {
        let expected = try await probedKeyframeTimes(path)
        #expect(expected == [0], "the clip has a single key frame")
        let reader = try MediaReader(url: path, options: .init(sampling: .keyframes))
        let frames = try readAll(reader)
        #expect(frames.map(\.ptsSeconds) == expected)
        #expect(frames.allSatisfy { $0.isKeyframe && $0.index == Int(($0.ptsSeconds * 30).rounded()) })
        #expect(reader.counters.decodedFrames == expected.count)
        #expect(reader.counters.packets == 150)
    }

    @Test("One frame per second: the frames at 0, 1, 2, 3 and 4 s")
    func interval() throws {
        let frames = try readAll(path, sampling: .interval(seconds: 1.0))
        #expect(frames.map(\.index) == [0, 30, 60, 90, 120])
        #expect(frames.map(\.ptsSeconds) == [0, 1, 2, 3, 4])
    }
}

/// Presentation times of the frames `ffprobe` decodes when told to skip non-key frames.
func probedKeyframeTimes(_ path: String) async throws -> [Double] {
    try await ffprobe([
        "-select_streams", "v", "-skip_frame", "nokey",
        "-show_entries", "frame=pts_time", "-of", "csv=p=0", path,
    ])
    .split(whereSeparator: \.isNewline)
    .compactMap { line in line.split(separator: ",").first.flatMap { Double($0) } }
}
