import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// Sampling, timing and stream changes on clips generated for the test run.
@Suite("Generated clips", .timeLimit(.minutes(3)))
struct SyntheticClipTests {
    @Test func everyFrame() async throws {
        let media = try await SyntheticMedia.get()
        let reader = try MediaReader(url: media.clip, options: .init(sampling: .everyFrame))
        #expect(reader.info.width == 320 && reader.info.height == 240)
        #expect(reader.info.frameRate == 25)
        let frames = try readAll(reader)
        #expect(frames.map(\.index) == Array(0..<75))
        for frame in frames {
            #expect(abs(frame.ptsSeconds - Double(frame.index) / 25) < 1e-9)
        }
        #expect(frames.filter(\.isKeyframe).map(\.index) == [0, 25, 50])
    }

    @Test func keyframes() async throws {
        let media = try await SyntheticMedia.get()
        let reader = try MediaReader(url: media.clip, options: .init(sampling: .keyframes))
        let frames = try readAll(reader)
        #expect(frames.map(\.index) == [0, 25, 50])
        #expect(frames.map(\.ptsSeconds) == [0, 1, 2])
        await #expect(try probedKeyframeTimes(media.clip) == [0, 1, 2])
        #expect(frames.allSatisfy { $0.isKeyframe })
        // Non-key packets are read but never decoded.
        #expect(reader.counters.packets == 75)
        #expect(reader.counters.decodedFrames == 3)
    }

    @Test("Interval sampling picks the first frame at or after each multiple")
    func halfSecondInterval() async throws {
        let media = try await SyntheticMedia.get()
        let frames = try readAll(media.clip, sampling: .interval(seconds: 0.5))
        // 0.5 s falls between frames 12 (0.48 s) and 13 (0.52 s).
        #expect(frames.map(\.index) == [0, 13, 25, 38, 50, 63])
    }

    @Test("Interval sampling follows timestamps on variable frame rate")
    func variableFrameRate() async throws {
        let media = try await SyntheticMedia.get()
        let all = try readAll(media.variableRateClip, sampling: .everyFrame)
        #expect(all.count == 40)
        let probed = try await ffprobe([
            "-select_streams", "v", "-show_entries", "frame=best_effort_timestamp_time",
            "-of", "csv=p=0", media.variableRateClip,
        ]).split(whereSeparator: \.isNewline).compactMap { Double($0.split(separator: ",").first ?? "") }
        #expect(all.map(\.ptsSeconds).count == probed.count)
        for (frame, seconds) in zip(all, probed) {
            #expect(abs(frame.ptsSeconds - seconds) < 1e-6)
        }

        let sampled = try readAll(media.variableRateClip, sampling: .interval(seconds: 1))
        let expected = [0, 1.0, 2.05, 3.1, 4.15, 5.2, 6.25, 7.3, 8.0, 9.05, 10.1, 11.15]
        #expect(sampled.count == expected.count)
        for (frame, seconds) in zip(sampled, expected) {
            // Matroska stores milliseconds, and the encoder rounds some of them down.
            #expect(abs(frame.ptsSeconds - seconds) < 0.002, "\(frame.ptsSeconds) vs \(seconds)")
        }
        #expect(sampled.map(\.index) == [0, 10, 13, 16, 19, 22, 25, 28, 30, 33, 36, 39])
    }

    @Test("A stream that changes size midway is converted at each size")
    func resolutionChange() async throws {
        let media = try await SyntheticMedia.get()
        let frames = try readAll(media.resolutionChange, sampling: .everyFrame)
        let sizes = frames.map { "\($0.width)x\($0.height)" }
        #expect(sizes.count == 50)
        #expect(Array(sizes.prefix(25)) == Array(repeating: "320x240", count: 25))
        #expect(Array(sizes.suffix(25)) == Array(repeating: "160x120", count: 25))
    }

    @Test("Decoder threading does not change the pictures or their order")
    func threadingIsDeterministic() async throws {
        let media = try await SyntheticMedia.get()
        let single = try MediaReader(url: media.clip, options: .init(sampling: .everyFrame, decoderThreads: 1))
        let automatic = try MediaReader(url: media.clip, options: .init(sampling: .everyFrame, decoderThreads: 0))
        var count = 0
        while let a = try single.nextFrame() {
            let b = try #require(try automatic.nextFrame())
            #expect(a.index == b.index && a.ptsSeconds == b.ptsSeconds)
            #expect(a.pixels == b.pixels, "frame \(a.index) differs")
            count += 1
        }
        #expect(try automatic.nextFrame() == nil)
        #expect(count == 75)
    }
}
