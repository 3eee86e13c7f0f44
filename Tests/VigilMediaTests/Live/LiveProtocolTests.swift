import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

extension LiveSuite {
    /// Each supported network protocol against a real server on the loopback interface.
    @Suite("Live protocols", .timeLimit(.minutes(3)))
    final class LiveProtocolTests {
        let directory: URL

        init() throws {
            directory = try Fixtures.temporaryDirectory()
        }

        deinit {
            try? FileManager.default.removeItem(at: directory)
        }

        /// Checks the frames of a clean 320x240 stream with a key frame every second.
        static func expectKeyframeSampling(_ recorder: SessionRecorder, minimum: Int = 3) {
            let frames = recorder.frames
            #expect(frames.count >= minimum, "\(recorder.summary)")
            #expect(frames.allSatisfy { $0.width == 320 && $0.height == 240 && $0.crop == nil })
            #expect(frames.allSatisfy { $0.isKeyframe }, "key-frame sampling hands out key frames only")
            let times = frames.map(\.ptsSeconds)
            #expect(times == times.sorted(), "timeline goes forward: \(times)")
            #expect(frames.first?.ptsSeconds == 0)
            #expect(recorder.session.info?.codecName == "h264")
            let counters = recorder.session.counters
            #expect(counters.packets > 0 && counters.bytes > 0 && counters.keyframes >= minimum)
            #expect(counters.keyframeFallbacks == 0, "regular key frames never trigger the fallback")
            #expect(!counters.decodesEveryPicture, "key frames alone are decoded")
        }

        @Test("RTMP from nginx-rtmp, fed by ffmpeg -re")
        func rtmp() async throws {
            let media = try await LiveMedia.get()
            let nginx = try await NginxRTMPServer.start(in: directory)
            defer { nginx.process.stop() }
            let port = nginx.rtmpPort
            let url = "rtmp://127.0.0.1:\(port)/live/cam"
            let feeder = try LiveServers.feed(media.clip, format: "flv", to: url, in: directory)
            defer { feeder.stop() }

            let recorder = try SessionRecorder(url: url, options: liveTestOptions())
            recorder.start()
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 4 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(feeder.log)")
            Self.expectKeyframeSampling(recorder)
            #expect(recorder.states.contains { $0.state == .live })
            #expect(recorder.session.state == .stopped)
        }

        @Test("Live HLS over HTTP from a folder ffmpeg keeps writing")
        func liveHLS() async throws {
            let media = try await LiveMedia.get()
            let folder = directory.appendingPathComponent("hls")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let writer = try LiveServers.hlsWriter(media.clip, into: folder, logDirectory: directory)
            defer { writer.stop() }
            let (http, port) = try await LiveServers.httpFolder(folder, logDirectory: directory)
            defer { http.stop() }
            let playlist = folder.appendingPathComponent("live.m3u8")
            #expect(await eventually(within: 15) { FileManager.default.fileExists(atPath: playlist.path) })

            let recorder = try SessionRecorder(url: "http://127.0.0.1:\(port)/live.m3u8", options: liveTestOptions(stall: 5))
            recorder.start()
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 4 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(writer.log)")
            Self.expectKeyframeSampling(recorder)
            #expect(recorder.session.counters.refusedOpens == 0)
        }

        @Test("SRT as caller, to ffmpeg in listener mode")
        func srt() async throws {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            let feeder = try LiveServers.feed(media.clip, format: "mpegts", to: "srt://127.0.0.1:\(port)?mode=listener", in: directory)
            defer { feeder.stop() }

            let recorder = try SessionRecorder(url: "srt://127.0.0.1:\(port)", options: liveTestOptions())
            recorder.start()
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 4 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(feeder.log)")
            Self.expectKeyframeSampling(recorder)
        }

        @Test("MPEG-TS over UDP")
        func udp() async throws {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            let recorder = try SessionRecorder(url: "udp://127.0.0.1:\(port)", options: liveTestOptions())
            recorder.start()
            let feeder = try LiveServers.feed(media.clip, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
            defer { feeder.stop() }
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 4 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(feeder.log)")
            Self.expectKeyframeSampling(recorder)
        }

        @Test("a live stream joined between key frames is read at the first attempt: probing waits for the next key frame")
        func joinBetweenKeyframes() async throws {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            let feeder = try LiveServers.feed(media.threeSecondGOP, format: "mpegts", to: "udp://127.0.0.1:\(port)?pkt_size=1316", in: directory)
            defer { feeder.stop() }
            // Join a second in: the stream's first key frame is gone, the next comes 2 s later.
            try await Task.sleep(for: .seconds(1))
            var options = liveTestOptions()
            options.timeouts = .defaults(for: .udp)
            let recorder = try SessionRecorder(url: "udp://127.0.0.1:\(port)", options: options)
            let joined = Date()
            recorder.start()
            let first = await recorder.wait(upTo: 10) { !$0.frames.isEmpty }
            await recorder.stop()
            #expect(first, "\(recorder.summary)\n\(feeder.log)")
            let waited = (recorder.frames.first?.receivedAt ?? Date()).timeIntervalSince(joined)
            #expect(!recorder.states.contains { $0.state == .backoff }, "no failed attempt before the first picture: \(recorder.summary)")
            #expect(waited < 4.5, "the first picture \(waited) s after joining")
        }

        @Test("MPEG-TS over RTP")
        func rtp() async throws {
            let media = try await LiveMedia.get()
            let port = try freeLoopbackPort(udp: true)
            let recorder = try SessionRecorder(url: "rtp://127.0.0.1:\(port)", options: liveTestOptions())
            recorder.start()
            let feeder = try LiveServers.feed(media.clip, format: "rtp_mpegts", to: "rtp://127.0.0.1:\(port)", in: directory)
            defer { feeder.stop() }
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 4 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(feeder.log)")
            Self.expectKeyframeSampling(recorder)
        }

        @Test("RTSP over TCP from GStreamer's gst-rtsp-server")
        func rtsp() async throws {
            let (server, port) = try await LiveServers.rtsp(in: directory)
            defer { server.stop() }
            let recorder = try SessionRecorder(url: "rtsp://127.0.0.1:\(port)/live", options: liveTestOptions())
            recorder.start()
            let enough = await recorder.wait(upTo: 25) { $0.frames.count >= 3 }
            await recorder.stop()
            #expect(enough, "\(recorder.summary)\n\(server.log)")
            let frames = recorder.frames
            #expect(frames.allSatisfy { $0.width == 320 && $0.height == 240 && $0.isKeyframe })
            #expect(frames.map(\.ptsSeconds) == frames.map(\.ptsSeconds).sorted())
            #expect(recorder.session.counters.keyframeFallbacks == 0)
        }
    }
}
