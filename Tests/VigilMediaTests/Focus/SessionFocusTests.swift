import Foundation
import Testing
import VigilMedia
import VigilTestSupport

/// Focus on a file read in step with its consumer: the pictures asked for come before the reader
/// moves on, and the reader goes back to key frames afterwards.
@Suite("Stream session: focus")
struct SessionFocusTests {
    static func clip(in directory: URL) async throws -> URL {
        let clip = directory.appendingPathComponent("clip.mp4")
        // 25 fps, a key frame every 2 s.
        try await VigilTestSupport.SyntheticMedia.clip("testsrc2=s=320x240:r=25", seconds: 6, gop: 50, extraArguments: ["-sc_threshold", "0"], to: clip)
        return clip
    }

    static var options: StreamOptions {
        var options = StreamOptions()
        options.policy.dropNearDuplicates = false
        options.acknowledgedHandOff = true
        return options
    }

    /// Reads the clip in step, acknowledging each frame after `onFrame` (which may ask for focus).
    static func read(_ onFrame: (Frame, StreamSession) -> Void = { _, _ in }) async throws -> (times: [Double], counters: StreamCounters) {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try StreamSession(url: try await Self.clip(in: directory).path, options: Self.options)
        defer { session.stop() }
        var times: [Double] = []
        for try await frame in session.frames {
            times.append(frame.ptsSeconds)
            onFrame(frame, session)
            session.acknowledge()
        }
        return (times, session.counters)
    }

    @Test("focus times asked after a key frame are sampled before the next key frame; times already passed are ignored")
    func focusedPictures() async throws {
        let (times, counters) = try await Self.read { frame, session in
            if frame.ptsSeconds == 0 { session.focus(FocusRequest(times: [0.52, 1.0, 1.48])) }
            if abs(frame.ptsSeconds - 2) < 1e-6 { session.focus(FocusRequest(times: [1.0, 2.6])) }
        }
        let expected = [0, 0.52, 1.0, 1.48, 2.0, 2.6, 4.0]
        #expect(times.count == expected.count && zip(times, expected).allSatisfy { abs($0 - $1) < 1e-3 }, "\(times)")
        #expect(counters.focusSamples == 4)
        #expect(counters.focusBursts == 2)
        #expect(counters.focusMissed == 0)
        #expect(counters.keyframes == 3)
    }

    @Test("without focus, a file read in step gives its key frames, as a buffered read does")
    func noFocus() async throws {
        let (times, counters) = try await Self.read()
        #expect(times.map { ($0 * 100).rounded() / 100 } == [0, 2, 4], "\(times)")
        #expect(counters.decodedFrames == 3, "key frames only")
    }

    @Test("a consumer that stops without acknowledging does not leave the reader waiting")
    func stopWithoutAcknowledging() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try StreamSession(url: try await Self.clip(in: directory).path, options: Self.options)
        var iterator = session.frames.makeAsyncIterator()
        #expect(try await iterator.next() != nil)
        session.stop()
        let end = await session.finished()
        #expect(end.state.isTerminal)
    }
}
