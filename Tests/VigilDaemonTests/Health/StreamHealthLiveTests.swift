import Foundation
import Testing
import VigilAlerts
import VigilDaemon
import VigilMedia
import VigilTestSupport

@Suite("End to end: a live stream that switches to what Vigil refuses", .serialized)
struct StreamHealthLiveTests {
    /// One JSONL line, decoded.
    struct Line {
        var alert: RaisedAlert
        var text: String
    }

    static func lines(_ path: String) -> [Line] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? AlertCoding.decode(Data(line.utf8))).map { Line(alert: $0, text: String(line)) }
        }
    }

    @Test("known clip, then 8200x64 pictures, then a codec outside the whitelist, then the known clip again: watching resumes, an unwatchable and a recovered alert arrive, and the known clip alerts again",
          .timeLimit(.minutes(3)))
    func switchesAndRecovers() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = try await SampleClips.knownBank(in: directory)
        let oversize = directory.appendingPathComponent("oversize.ts")
        try await SyntheticMedia.clip("testsrc2=size=8200x64:rate=25", seconds: 4, extraArguments: ["-f", "mpegts"], to: oversize)
        let mpeg1 = directory.appendingPathComponent("mpeg1.ts").path
        try await SyntheticMedia.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "4", "-c:v", "mpeg1video", "-g", "25", "-f", "mpegts", mpeg1,
        ])
        let port = try freeLoopbackPort(udp: true)
        let url = "udp://127.0.0.1:\(port)"
        let jsonl = directory.appendingPathComponent("alerts.jsonl").path
        var settings = SessionFrameSource.Settings()
        // Short backoffs, so each switch is seen within a second or two.
        settings.reconnect = ReconnectPolicy(initialDelay: 0.2, maxDelay: 1)
        // Read as `vigil serve` reads a live stream by default: in an ingest child process.
        let sources = IsolatedFrameSourceFactory(settings: .init(executable: try VigilExecutable.path(), session: settings))
        let daemon = try await TestDaemon.start(sources: sources) { config in
            config.banks = [BankSpec(name: "known", paths: [bank])]
            var stream = StreamSpec(id: "switching", url: url)
            stream.unwatchableAfter = 4
            config.streams = [stream]
            // A quiet spell longer than the window ends the first incident: the clip's return is
            // a new one.
            config.alerts.window = 5
            config.alerts.jsonl = jsonl
        }
        func play(_ clip: String) throws -> Process { try startRealTimeSender(clip, to: url + "?pkt_size=1316", seconds: 60) }
        func status() async throws -> [String: Any] {
            try await API.call(.GET, daemon.base + "/v1/streams/switching").json ?? [:]
        }

        // 1. The known clip: a match.
        var sender = try play(SampleClips.known)
        try await waitUntil(timeout: .seconds(30)) { Self.lines(jsonl).contains { $0.alert.kind == .match } }
        stopRealTimeSender(sender)

        // 2. Pictures wider than 8192: refused and retried, and within unwatchable_after (plus a
        // check) an unwatchable alert naming the size.
        sender = try play(oversize.path)
        let switched = ContinuousClock.now
        try await waitUntil(timeout: .seconds(30)) { Self.lines(jsonl).contains { $0.alert.streamHealth?.state == .unwatchable } }
        let toldAfter = ContinuousClock.now - switched
        #expect(toldAfter < .seconds(15), "unwatchable reported \(toldAfter) after the switch")
        let unwatchable = try #require(Self.lines(jsonl).compactMap { $0.alert.streamHealth }.first)
        #expect(unwatchable.stream == "switching")
        #expect(unwatchable.source == url)
        // Skipped one at a time while the stream goes on, or refused at a reconnect's open.
        #expect(unwatchable.reason.contains("over the size limits skipped") || unwatchable.reason.contains("8200x64"), "\(unwatchable.reason)")
        let skipped = try await status()
        #expect((skipped["pictures_skipped"] as? Int ?? 0) > 0 || (skipped["detail"] as? String ?? "").contains("8200x64"), "\(skipped)")
        #expect(!unwatchable.reason.contains(url), "the reason never names the source")
        stopRealTimeSender(sender)

        // 3. A codec outside the live whitelist: refused when a connection probes it, or, while
        // the H.264 decoder still reads it as its own broken pictures, skipped; never sampled,
        // never abandoned.
        sender = try play(mpeg1)
        let mpeg1Ends = ContinuousClock.now + .seconds(6)
        while ContinuousClock.now < mpeg1Ends {
            #expect(try await status()["state"] as? String != "failed")
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(!Self.lines(jsonl).contains { $0.alert.streamHealth?.state == .recovered }, "nothing of the mpeg1video stream was sampled")
        stopRealTimeSender(sender)

        // 4. The known clip again: recovered, and a second match.
        sender = try play(SampleClips.known)
        defer { stopRealTimeSender(sender) }
        try await waitUntil(timeout: .seconds(40)) {
            let lines = Self.lines(jsonl)
            return lines.contains { $0.alert.streamHealth?.state == .recovered } && lines.filter { $0.alert.kind == .match }.count >= 2
        }
        let lines = Self.lines(jsonl)
        let health = lines.compactMap { $0.alert.streamHealth }
        #expect(health.map(\.state) == [.unwatchable, .recovered], "one report per transition: \(health)")
        let recovered = try #require(health.last)
        #expect(recovered.since > unwatchable.since)
        let matches = lines.compactMap { $0.alert.match }
        #expect(matches.allSatisfy { $0.entry.id == "mandelbrot-zoom" })
        // The match before the switch, the unwatchable report, then the clip's return: its match
        // (raised by the first hashed picture) and the recovered report (raised by the next
        // once-a-second health check) in either order.
        let kinds = lines.map(\.alert.kind)
        #expect(kinds.count == 4 && kinds.prefix(2) == [.match, .streamHealth] && Set(kinds.suffix(2)) == [.match, .streamHealth], "\(kinds)")
        #expect(try await status()["state"] as? String == "live")

        // Both kinds validate against the published schema, and the API lists them too.
        let schema = try SchemaValidator.schemaPath()
        #expect(try await SchemaValidator.validate(lines.map(\.text), schema: schema) == Array(repeating: "ok", count: lines.count))
        let listed = try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []
        #expect(listed.compactMap { ($0["alert"] as? [String: Any])?["kind"] as? String } == kinds.map(\.rawValue))
        let metrics = try await API.call(.GET, daemon.base + "/metrics").text
        #expect(metrics.contains(#"vigil_stream_health_alerts_total{state="unwatchable"} 1"#))
        #expect(metrics.contains(#"vigil_stream_health_alerts_total{state="recovered"} 1"#))
        await daemon.stop()
    }
}
