import Foundation
import Synchronization
import Testing
import VigilDaemon
import VigilMedia
import VigilTestSupport

/// The daemon's stream source on real media: what a stream's spec asks for reaches the session,
/// and the session's state and counters are read back from the source.
@Suite("Session frame source", .timeLimit(.minutes(3)))
struct SessionFrameSourceTests {
    /// Frames, collected from the session's threads.
    final class Recorder: Sendable {
        private let received = Mutex<[Frame]>([])

        func record(_ frame: Frame) { received.withLock { $0.append(frame) } }

        var frames: [Frame] { received.withLock { $0 } }
    }

    static func unpaced() -> SessionFrameSource.Settings {
        var settings = SessionFrameSource.Settings()
        settings.paceFiles = false
        return settings
    }

    /// Runs a source to its end; returns what it handed out and its final status.
    static func run(_ spec: StreamSpec) async -> (frames: [Frame], status: SourceStatus) {
        let recorder = Recorder()
        let source = SessionFrameSource(stream: spec, settings: unpaced())
        // A file is read in step with its consumer: done with each frame at once, as the hashing
        // pool is once it has judged it.
        let feedback = source.feedback
        await source.run { frame in
            recorder.record(frame)
            feedback?.acknowledge()
        }
        return (recorder.frames, source.status)
    }

    @Test("max_keyframe_gap reaches the session: a 12 s GOP is sampled every second, or once when off")
    func keyframeGap() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("long-gop.mp4")
        try await SyntheticMedia.clip("testsrc2=size=320x240:rate=25", seconds: 12, gop: 600,
                                      extraArguments: ["-sc_threshold", "0"], to: clip)

        let fallback = await Self.run(StreamSpec(id: "gap", url: clip.path))
        #expect(fallback.frames.count >= 8, "\(fallback.frames.map(\.ptsSeconds))")
        #expect(fallback.status.state == .ended)

        let off = await Self.run(StreamSpec(id: "off", url: clip.path, maxKeyframeGap: nil))
        #expect(off.frames.map(\.isKeyframe) == [true])
    }

    @Test("a letterboxed stream is also hashed cropped to its picture")
    func borders() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("letterbox.mp4")
        try await SyntheticMedia.clip("testsrc2=size=320x160:rate=25", seconds: 2,
                                      extraArguments: ["-vf", "pad=320:240:0:40:black"], to: clip)
        let recorder = await Self.run(StreamSpec(id: "letterbox", url: clip.path))
        #expect(recorder.status.counters.croppedFrames == recorder.frames.filter { $0.crop != nil }.count)
        let cropped = recorder.frames.filter { $0.crop != nil }
        #expect(!cropped.isEmpty)
        // The picture itself, and the 16:9 box around it (in case the bars were partly its own).
        #expect(Set(cropped.map { "\($0.width)x\($0.height)" }) == ["320x160", "320x180"], "\(cropped.map { ($0.width, $0.height) })")
    }

    @Test("a missing file fails the stream, and the state names the file")
    func missingFile() async throws {
        let path = "/nonexistent/vigil-\(UUID().uuidString).mp4"
        let recorder = await Self.run(StreamSpec(id: "missing", url: path))
        #expect(recorder.frames.isEmpty)
        #expect(recorder.status.state == .failed)
        #expect(recorder.status.detail?.contains(path) == true, "\(recorder.status.detail ?? "no detail")")
    }

    @Test("cancelling a live session with no sender ends it without waiting for the source, and reports it stopped")
    func cancelWhileWaiting() async throws {
        let recorder = Recorder()
        let port = try freeLoopbackPort(udp: true)
        let source = SessionFrameSource(stream: StreamSpec(id: "silent", url: "udp://127.0.0.1:\(port)"))
        let before = Date()
        let task = Task { await source.run { recorder.record($0) } }
        // Cancel once the session exists (its first state is newer than the source) and is
        // waiting for a sender.
        let waitingSince = ContinuousClock.now
        while source.status.since <= before && ContinuousClock.now - waitingSince < .seconds(20) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(source.status.state == .connecting)
        let cancelledAt = Date()
        task.cancel()
        await task.value
        // The session's own thread stamps its end. That stamp, not the moment this task resumes,
        // is what is bounded: the test process's cooperative pool is shared with every suite
        // running in parallel, and on a loaded 2-core runner it has resumed tasks 8 s late. The
        // session's deadlines for a silent UDP source (open, then probe) add up to 10 s;
        // cancelling must not wait for them. A session the cancel missed would next report a
        // state of its own about 10 s after it.
        var status = source.status
        let waitingForEnd = ContinuousClock.now
        while status.since < cancelledAt && ContinuousClock.now - waitingForEnd < .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
            status = source.status
        }
        #expect(status.state == .stopped)
        #expect(status.since.timeIntervalSince(cancelledAt) < 5, "the session ended \(status.since.timeIntervalSince(cancelledAt)) s after the cancel")
        #expect(recorder.frames.isEmpty)
    }
}
