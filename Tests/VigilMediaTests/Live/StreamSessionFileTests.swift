import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// The session's sampling policy, exercised on files (no servers, fully deterministic).
@Suite("Stream session on files", .timeLimit(.minutes(3)))
struct StreamSessionFileTests {
    /// Clips with particular pictures, made once.
    struct Clips: Sendable {
        let letterbox: String
        let pillarbox: String
        let sceneCut: String
        let still: String
        let directory: URL

        /// A task, so tests waiting for the files suspend instead of holding a cooperative thread.
        static let shared = Task { try await Clips() }

        private init() async throws {
            let directory = try Fixtures.temporaryDirectory()
            self.directory = directory
            func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
            let h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
            letterbox = path("letterbox.mp4")
            try await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x160:rate=25", "-t", "2", "-vf", "pad=320:240:0:40:black"] + h264 + ["-g", "25", letterbox])
            pillarbox = path("pillarbox.mp4")
            try await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=240x240:rate=25", "-t", "2", "-vf", "pad=320:240:40:0:black"] + h264 + ["-g", "25", pillarbox])
            sceneCut = path("scene-cut.mp4")
            try await ffmpeg([
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:d=2", "-f", "lavfi", "-i", "smptebars=size=320x240:rate=25:d=2",
                "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
            ] + h264 + ["-g", "250", "-sc_threshold", "0", sceneCut])
            still = path("still.mp4")
            try await ffmpeg(["-f", "lavfi", "-i", "smptebars=size=320x240:rate=25", "-t", "4"] + h264 + ["-g", "25", still])
        }
    }

    /// Runs a session over a file to its end and returns the frames and the session.
    private func run(_ path: String, _ configure: (inout StreamOptions) -> Void = { _ in }) async throws -> ([Frame], StreamSession) {
        var options = StreamOptions()
        configure(&options)
        let session = try StreamSession(url: path, options: options)
        var frames: [Frame] = []
        for try await frame in session.frames { frames.append(frame) }
        let final = await session.finished()
        #expect(final.state == .ended)
        return (frames, session)
    }

    @Test("Files keep plain key-frame sampling: the gap fallback is off unless asked for")
    func fileFallbackOffByDefault() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let (frames, session) = try await run(path)
        let whole = frames.filter { $0.crop == nil }
        #expect(whole.map(\.ptsSeconds) == [0], "the clip's single key frame, as MediaReader gives")
        #expect(session.counters.keyframeFallbacks == 0)
        #expect(!session.counters.decodesEveryPicture, "key frames alone were decoded")
        #expect(session.info?.width == 1080)
    }

    @Test("With the fallback enabled for files, a long GOP is sampled every second")
    func fileFallbackWhenEnabled() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let (frames, session) = try await run(path) { $0.policy.fallbackOnFiles = true; $0.policy.dropNearDuplicates = false }
        let times = frames.filter { $0.crop == nil }.map(\.ptsSeconds)
        #expect(times.first == 0)
        #expect(times.count >= 5, "\(times)")
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 > 0.5 && $0 <= 1.05 }, "\(times)")
        #expect(session.counters.keyframeFallbacks == 1)
        #expect(session.counters.decodesEveryPicture, "the fallback decodes every picture to the end of the clip")
        #expect(frames.filter { $0.crop == nil }.map(\.index) == times.map { Int(($0 * 30).rounded()) })
    }

    @Test("Letterbox and pillarbox: each picture comes whole, then cropped to its content and to the standard shapes around it",
          arguments: [true, false])
    func borders(letterbox: Bool) async throws {
        let clips = try await Clips.shared.value
        let (frames, session) = try await run(letterbox ? clips.letterbox : clips.pillarbox) { $0.policy.dropNearDuplicates = false }
        let whole = frames.filter { $0.crop == nil }
        #expect(whole.map(\.ptsSeconds) == [0, 1], "key frames at 0 and 1 s")
        // 2:1 content letterboxed in 4:3 also gets the 16:9 box around it; 1:1 content pillarboxed
        // in 4:3 gets none (4:3 is the whole picture, the wider shapes do not fit).
        let cropsPerFrame = letterbox ? 2 : 1
        for full in whole {
            let crops = frames.filter { $0.crop != nil && $0.ptsSeconds == full.ptsSeconds }
            #expect(crops.count == cropsPerFrame, "\(crops.map { $0.crop!.description })")
            #expect(full.width == 320 && full.height == 240)
            let inner = try #require(crops.first)
            #expect(inner.index == full.index)
            let rect = try #require(inner.crop)
            #expect(inner.width == rect.width && inner.height == rect.height)
            if letterbox {
                #expect(rect.x == 0 && rect.width == 320 && abs(rect.y - 40) <= 2 && abs(rect.height - 160) <= 4, "\(rect)")
                let box = try #require(crops.last?.crop)
                #expect(box.x == 0 && box.width == 320 && box.height == 180 && abs(box.y - 30) <= 2, "\(box)")
            } else {
                #expect(rect.y == 0 && rect.height == 240 && abs(rect.x - 40) <= 2 && abs(rect.width - 240) <= 4, "\(rect)")
            }
        }
        #expect(session.counters.croppedFrames == 2 * cropsPerFrame)
        #expect(session.counters.sampledFrames == 2 + 2 * cropsPerFrame)
    }

    @Test("Scene-change sampling catches a cut that has no key frame")
    func sceneChange() async throws {
        let clips = try await Clips.shared.value
        let (plain, _) = try await run(clips.sceneCut) { $0.policy.fallbackOnFiles = false }
        #expect(plain.map(\.ptsSeconds) == [0], "key frames alone miss the second scene")
        let (frames, session) = try await run(clips.sceneCut) { $0.policy.sceneChangeThreshold = 0.1 }
        let times = frames.filter { $0.crop == nil }.map(\.ptsSeconds)
        #expect(times.first == 0)
        #expect(times.contains { abs($0 - 2.0) < 0.05 }, "the cut at 2 s: \(times)")
        #expect(times.count <= 3, "only the cut, not every frame: \(times)")
        #expect(session.counters.decodedFrames == 100, "scene detection decodes every frame")
    }

    @Test("Near-identical consecutive samples are dropped before matching, and counted")
    func nearDuplicates() async throws {
        let clips = try await Clips.shared.value
        let (kept, _) = try await run(clips.still) { $0.policy.dropNearDuplicates = false; $0.policy.detectBorders = false }
        #expect(kept.count == 4)
        let (frames, session) = try await run(clips.still) { $0.policy.detectBorders = false }
        #expect(frames.count == 1)
        #expect(session.counters.nearDuplicatesDropped == 3)
    }

    @Test("Sampled pictures can be shrunk while converting")
    func shrink() async throws {
        let media = try await SyntheticMedia.get()
        let (frames, _) = try await run(media.clip) { $0.sampleMaxDimension = 160; $0.policy.dropNearDuplicates = false }
        #expect(frames.count == 3)
        #expect(frames.allSatisfy { $0.width == 160 && $0.height == 120 && $0.format == .luma8 && $0.pixels.count == 160 * 120 })
        let (rgb, _) = try await run(media.clip) {
            $0.sampleMaxDimension = 160
            $0.policy.dropNearDuplicates = false
            $0.policy.pictureFormat = .rgb24
        }
        #expect(rgb.count == 3)
        #expect(rgb.allSatisfy { $0.width == 160 && $0.height == 120 && $0.format == .rgb24 && $0.pixels.count == 160 * 120 * 3 })
    }

    @Test("Limits stop a file with a clear reason, without retrying", arguments: [0, 1, 2])
    func limits(which: Int) async throws {
        let media = try await SyntheticMedia.get()
        var options = StreamOptions()
        let expected: MediaError
        switch which {
        case 0:
            options.limits.maxMemoryBytes = 1 << 20
            // The limit is checked against the worst case: the decoder decoding every picture.
            let bytes = options.limits.estimatedBytes(width: 320, height: 240, bufferedFrames: options.frameBufferCapacity, format: .luma8)
            expected = .memoryLimitExceeded(url: media.clip, bytes: bytes, limit: 1 << 20)
        case 1:
            options.limits.maxPacketBytes = 100
            expected = .packetTooLarge(url: media.clip, bytes: 0, limit: 100)
        default:
            options.media.maxDimension = 200
            expected = .dimensionsTooLarge(url: media.clip, width: 320, height: 240, limit: 200)
        }
        let session = try StreamSession(url: media.clip, options: options)
        var thrown: MediaError?
        do {
            for try await _ in session.frames {}
        } catch {
            thrown = error
        }
        let final = await session.finished()
        #expect(final.state == .failed)
        #expect(session.counters.reconnects == 0)
        if case .packetTooLarge(let url, let bytes, let limit) = thrown {
            #expect(url == media.clip && bytes > 100 && limit == 100)
            #expect(final.reason == thrown)
        } else {
            #expect(thrown == expected)
            #expect(final.reason == expected)
        }
    }

    @Test("A session stopped before it starts ends at once; unknown schemes are refused")
    func stopBeforeStart() async throws {
        let media = try await SyntheticMedia.get()
        let session = try StreamSession(url: media.clip)
        session.stop()
        #expect(session.state == .stopped)
        var count = 0
        for try await _ in session.frames { count += 1 }
        #expect(count == 0)
        #expect(await session.finished().state == .stopped)
        #expect(throws: MediaError.self) { _ = try StreamSession(url: "ftp://127.0.0.1/x.ts") }
    }

    @Test("State changes: connecting, live, ended; counters add up")
    func statesAndCounters() async throws {
        let media = try await SyntheticMedia.get()
        var options = StreamOptions()
        options.policy.dropNearDuplicates = false
        let session = try StreamSession(url: media.clip, options: options)
        let changes = session.stateChanges()
        // A file source waits for its consumer, so the frames must be read for the session to end.
        let consumer = Task { () -> Int in
            var count = 0
            for try await _ in session.frames { count += 1 }
            return count
        }
        var states: [StreamState] = []
        for await change in changes { states.append(change.state) }
        #expect(try await consumer.value == 3)
        #expect(states.first == .connecting)
        #expect(states.contains(.live))
        #expect(states.last == .ended)
        let counters = session.counters
        #expect(counters.packets == 75 && counters.keyframes == 3)
        #expect(counters.decodedFrames == 3 && counters.sampledFrames == 3)
        #expect(counters.bytes > 0 && counters.reconnects == 0 && counters.stalls == 0)
    }
}
