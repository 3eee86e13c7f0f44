import Foundation
import Testing
import VigilDaemon
import VigilTestSupport

/// A researcher who replays a file with `vigil scan` gets the verdict the daemon gave when it
/// watched the same file as a stream: the same samples hashed and matched, and the same video-rule
/// percentages in the scan's verdict line and in the incident's final state.
@Suite("vigil scan and vigil serve give the same verdict", .serialized)
struct ScanServeEqualityTests {
    /// The sample clips and edited copies of the known one, as re-uploads and restreams change it.
    static func inputs(in directory: URL) async throws -> [(id: String, path: String)] {
        let known = SampleClips.known
        let unrelated = SampleClips.unrelated
        let h264 = ["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", "-an"]
        func path(_ name: String) -> String { directory.appendingPathComponent(name + ".mp4").path }
        try await SyntheticMedia.ffmpeg(["-i", known, "-vf", "scale=640:270,pad=640:360:0:45:black"] + h264 + [path("letterbox")])
        try await SyntheticMedia.ffmpeg(["-i", known, "-vf", "drawbox=x=20:y=20:w=120:h=50:color=white@0.8:t=fill"] + h264 + [path("logo")])
        try await SyntheticMedia.ffmpeg([
            "-i", unrelated, "-i", known, "-filter_complex",
            "[0:v]scale=640:360,setsar=1,trim=0:4,setpts=PTS-STARTPTS[a];[1:v]setsar=1,trim=0:8,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1[v]",
            "-map", "[v]",
        ] + h264 + [path("splice")])
        try await SyntheticMedia.ffmpeg([
            "-i", known, "-i", unrelated, "-filter_complex",
            "[1:v]scale=640:360[bg];[0:v]scale=320:180[fg];[bg][fg]overlay=W-w-26:H-h-14:shortest=1",
        ] + h264 + [path("pip")])
        // Key frames every 2.48 s after 3 s of unrelated footage: they fall between the bank's
        // samples, and focus samples at the bank's own times follow the first match.
        try await SyntheticMedia.ffmpeg([
            "-i", unrelated, "-i", known, "-filter_complex",
            "[0:v]scale=640:360,setsar=1,trim=0:3,setpts=PTS-STARTPTS[a];[1:v]setsar=1[b];[a][b]concat=n=2:v=1[v]",
            "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-g", "62", "-keyint_min", "62", "-sc_threshold", "0",
            "-pix_fmt", "yuv420p", "-an", path("focus"),
        ])
        return [("known", known), ("letterbox", path("letterbox")), ("logo", path("logo")), ("splice", path("splice")),
                ("pip", path("pip")), ("focus", path("focus")), ("unrelated", unrelated)]
    }

    @Test("each clip and edited copy: scan's verdict line equals the daemon's stream counts and final incident",
          .timeLimit(.minutes(3)))
    func sameVerdict() async throws {
        let vigil = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A realistic bank: one hash per second of the known clip, as exchanges share them.
        let hashed = try await runProcess(vigil, ["hash", "--seconds-per-hash", "1", SampleClips.known])
        try #require(hashed.status == 0, "\(hashed.stderrText)")
        let bank = directory.appendingPathComponent("mandelbrot-zoom.txt")
        try hashed.stdout.write(to: bank)
        let inputs = try await Self.inputs(in: directory)

        var verdicts: [String: [String: Any]] = [:]
        for input in inputs {
            let scan = try await runProcess(vigil, ["scan", "--json", input.path, "--bank", bank.path])
            try #require(scan.status == 0 || scan.status == 1, "\(input.id): \(scan.stderrText)")
            let last = try #require(scan.stdoutText.split(separator: "\n").last)
            verdicts[input.id] = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        }
        // The comparison means something only if the copies cover both outcomes.
        #expect(verdicts["known"]?["matched"] as? Bool == true)
        #expect(verdicts["unrelated"]?["matched"] as? Bool == false)
        // And focus: more samples than the copy's 7 key frames.
        #expect((verdicts["focus"]?["frames_hashed"] as? Int ?? 0) > 7, "\(verdicts["focus"] ?? [:])")

        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [bank.path])]
            config.streams = inputs.map { StreamSpec(id: $0.id, url: $0.path) }
            // Room for every sample of these short clips: the live rule (freshest frame wins)
            // must not drop samples on a busy test machine, or the two would differ by design.
            config.hashing.queuePerStream = 32
            config.hashing.maxQueued = 256
        }
        // Every stream played out, and every sample it gave hashed (or a deadline: then the
        // comparison below says what differs).
        var streams: [[String: Any]] = []
        let played = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < played {
            streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
            let settled = streams.count == inputs.count && streams.allSatisfy { stream in
                stream["state"] as? String == "ended"
                    && stream["frames_sampled"] as? Int == verdicts[stream["id"] as? String ?? ""]?["frames_hashed"] as? Int
            }
            if settled { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(streams.count == inputs.count)
        for stream in streams {
            let id = try #require(stream["id"] as? String)
            #expect(stream["frames_dropped"] as? Int == 0, "\(id)")
            #expect(stream["frames_sampled"] as? Int == verdicts[id]?["frames_hashed"] as? Int, "\(id): \(stream) vs \(verdicts[id] ?? [:])")
        }

        // Incident updates are written about once a second: wait for the final states, then compare.
        func finalAlerts() async throws -> [String: [String: Any]] {
            let page = try await API.call(.GET, daemon.base + "/v1/alerts")
            let items = page.json?["alerts"] as? [[String: Any]] ?? []
            var byStream: [String: [String: Any]] = [:]
            for item in items {
                guard let alert = item["alert"] as? [String: Any], let stream = alert["stream"] as? String else { continue }
                #expect(byStream[stream] == nil, "\(stream) raised more than one alert")
                byStream[stream] = alert
            }
            return byStream
        }
        func agrees(_ alerts: [String: [String: Any]]) -> Bool {
            inputs.allSatisfy { input in
                let verdict = verdicts[input.id] ?? [:]
                guard verdict["matched"] as? Bool == true else { return alerts[input.id] == nil }
                guard let alert = alerts[input.id], let video = (verdict["video_matches"] as? [[String: Any]])?.first,
                      let match = alert["video_match"] as? [String: Any] else { return false }
                return alert["frames_matched"] as? Int == verdict["frames_matched"] as? Int
                    && match["query_pct"] as? Double == video["query_pct"] as? Double
                    && match["compared_pct"] as? Double == video["compared_pct"] as? Double
            }
        }
        var alerts: [String: [String: Any]] = [:]
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            alerts = try await finalAlerts()
            if agrees(alerts) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(agrees(alerts), "scan: \(verdicts)\nserve: \(alerts)")
        #expect(alerts["known"] != nil)
        await daemon.stop()
    }

    @Test("the known clip as a live UDP stream and as a file: the same verdict, the same incident",
          .timeLimit(.minutes(2)))
    func liveAndFile() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = try await SampleClips.knownBank(in: directory)
        let port = try freeLoopbackPort(udp: true)
        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [bank])]
            config.streams = [
                StreamSpec(id: "as-file", url: SampleClips.known),
                StreamSpec(id: "as-live", url: "udp://127.0.0.1:\(port)"),
            ]
        }
        // Play the clip once, when the receiver's socket is open: the stream reports `connecting`
        // before FFmpeg binds it, and what is sent before that is lost.
        try await waitUntil(timeout: .seconds(10)) { hasUDPReceiver(port: port) }
        let sender = try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\(port)?pkt_size=1316", seconds: 12)
        defer { stopRealTimeSender(sender) }

        func alerts() async throws -> [String: [String: Any]] {
            let items = try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []
            var byStream: [String: [String: Any]] = [:]
            for case let alert? in items.map({ $0["alert"] as? [String: Any] }) {
                byStream[alert["stream"] as? String ?? ""] = alert
            }
            return byStream
        }
        // Both play in real time for 12 s; wait until both incidents have seen the whole clip.
        do {
            try await waitUntil(timeout: .seconds(40)) {
                let current = try await alerts()
                guard let file = current["as-file"], let live = current["as-live"] else { return false }
                let fileFrames = file["frames_matched"] as? Int ?? 0
                let liveFrames = live["frames_matched"] as? Int ?? 0
                return fileFrames >= 5 && liveFrames >= fileFrames - 1
            }
        } catch {
            let streams = try await API.call(.GET, daemon.base + "/v1/streams").text
            Issue.record("streams: \(streams)\nalerts: \(try await alerts())")
            throw error
        }
        let current = try await alerts()
        let file = try #require(current["as-file"])
        let live = try #require(current["as-live"])
        #expect(current.count == 2)
        #expect(file["entry"] as? [String: String] == live["entry"] as? [String: String])
        let fileMatch = try #require(file["video_match"] as? [String: Double])
        let liveMatch = try #require(live["video_match"] as? [String: Double])
        // A live receiver may join after the first key frame has gone by: at most one sample fewer.
        #expect(fileMatch["query_pct"] == 100 && liveMatch["query_pct"] == 100)
        #expect(abs((fileMatch["compared_pct"] ?? 0) - (liveMatch["compared_pct"] ?? 0)) <= 100.0 / 6 + 0.1,
                "file \(fileMatch), live \(liveMatch)")
        await daemon.stop()
    }
}
