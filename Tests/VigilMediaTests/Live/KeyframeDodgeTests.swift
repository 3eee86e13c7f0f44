import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

extension LiveSuite {
    /// Streams built to dodge key-frame sampling are still sampled at the fallback interval.
    @Suite("Key-frame dodging streams", .timeLimit(.minutes(3)))
    final class KeyframeDodgeTests {
        let directory: URL

        init() throws {
            directory = try Fixtures.temporaryDirectory()
        }

        deinit {
            try? FileManager.default.removeItem(at: directory)
        }

        /// Streams `clip` once over UDP to a session and returns what it sampled in the first 9 s.
        private func sample(_ clip: String) async throws -> SessionRecorder {
            let port = try freeLoopbackPort(udp: true)
            var options = liveTestOptions(stall: 4)
            options.timeouts = StreamTimeouts(open: 10, probe: 5, stall: 4)
            let recorder = try SessionRecorder(url: "udp://127.0.0.1:\(port)", options: options)
            recorder.start()
            // The reader must be listening before the first (and only) key frame is sent.
            guard await waitForUDPListener(port: port, within: 20) else { throw SetupError("the session never bound UDP port \(port)") }
            let feeder = try LiveServers.feed(clip, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory, loop: false)
            defer { feeder.stop() }
            _ = await recorder.wait(upTo: 25) { recorder in recorder.frames.contains { $0.ptsSeconds >= 8.5 } }
            await recorder.stop()
            return recorder
        }

        private func expectIntervalSampling(_ recorder: SessionRecorder) {
            let frames = recorder.frames.filter { $0.crop == nil }
            let times = frames.map(\.ptsSeconds)
            #expect(frames.first?.isKeyframe == true && frames.first?.ptsSeconds == 0, "\(recorder.summary)")
            #expect(recorder.session.counters.keyframeFallbacks >= 1, "\(recorder.summary)")
            // One sample per second of stream time, from the first second on.
            let covered = times.filter { $0 > 0.5 && $0 < 8.5 }
            #expect(covered.count >= 6, "samples at \(times)")
            let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
            #expect(gaps.allSatisfy { $0 > 0 && $0 <= 1.5 }, "samples at \(times)")
            #expect(frames.contains { !$0.isKeyframe }, "fallback samples are not key frames")
        }

        @Test("A 60 s GOP: one key frame, then a sample every second")
        func longGOP() async throws {
            let media = try await LiveMedia.get()
            let recorder = try await sample(media.longGOP)
            expectIntervalSampling(recorder)
        }

        @Test("x264 periodic intra refresh: no key pictures after the first, still a sample every second")
        func intraRefresh() async throws {
            let media = try await LiveMedia.get()
            let recorder = try await sample(media.intraRefresh)
            expectIntervalSampling(recorder)
        }
    }
}
