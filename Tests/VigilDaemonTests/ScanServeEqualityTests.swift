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
        return [("known", known), ("letterbox", path("letterbox")), ("logo", path("logo")), ("splice", path("splice")),
                ("pip", path("pip")), ("unrelated", unrelated)]
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

        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [bank.path])]
            config.streams = inputs.map { StreamSpec(id: $0.id, url: $0.path) }
        }
        try await waitUntil(timeout: .seconds(60)) {
            let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
            return streams.count == inputs.count && streams.allSatisfy { $0["state"] as? String == "ended" }
        }
        let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
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
}
