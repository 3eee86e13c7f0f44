import Foundation
import Testing
import VigilAlerts
import VigilDaemon
import VigilTestSupport

@Suite("End to end: sample clips played as live streams", .serialized)
struct EndToEndTests {
    static let secret = "e2e-webhook-secret"

    @Test("the known clip raises one signed alert at the webhook within 2 s; the unrelated clip raises none",
          .timeLimit(.minutes(2)))
    func knownAndUnrelated() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let bank = try await SampleClips.knownBank(in: directory)
        let receiver = WebhookReceiver()
        try await receiver.start()
        let jsonl = directory.appendingPathComponent("alerts.jsonl").path
        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [bank])]
            config.streams = [
                StreamSpec(id: "known-clip", url: SampleClips.known),
                StreamSpec(id: "unrelated-clip", url: SampleClips.unrelated),
            ]
            config.alerts.webhooks = [WebhookSpec(name: "hook", url: receiver.url, secret: Self.secret)]
            config.alerts.jsonl = jsonl
        }
        let requests = await receiver.waitFor(count: 1, timeout: .seconds(20))
        let request = try #require(requests.first)
        let alert = try #require(try AlertCoding.decode(request.body).match)
        #expect(alert.stream == "known-clip")
        #expect(alert.bank == "known")
        #expect(alert.entry.id == "mandelbrot-zoom")
        #expect(alert.distance <= 31)
        #expect(alert.videoMatch != nil)
        let latency = request.receivedAt.timeIntervalSince(alert.frame.observedAt)
        #expect(latency < 2, "frame to webhook took \(latency) s")
        let timestamp = try #require(request.header("X-Vigil-Timestamp").flatMap(Int.init))
        #expect(WebhookSignature.verify(body: request.body, timestamp: timestamp, secret: Self.secret,
                                        signature: request.header("X-Vigil-Signature") ?? ""))
        #expect(request.header("Idempotency-Key") == alert.id.rawValue)

        // Let both clips play out (12 s each, in real time): still one alert, none from the
        // unrelated clip, and the incident counted every matching key frame.
        try await waitUntil(timeout: .seconds(30)) {
            let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
            return streams.count == 2 && streams.allSatisfy { $0["state"] as? String == "ended" }
        }
        // The incident's updates are flushed about once a second: wait for its last sample, and
        // for both deliveries to be recorded.
        try await waitUntil(timeout: .seconds(10)) {
            let items = try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []
            let alert = items.first?["alert"] as? [String: Any]
            let deliveries = items.first?["deliveries"] as? [[String: Any]] ?? []
            return (alert?["frames_matched"] as? Int ?? 0) >= 5 && deliveries.allSatisfy { $0["state"] as? String == "delivered" }
        }
        #expect(receiver.received.count == 1)
        let page = try await API.call(.GET, daemon.base + "/v1/alerts")
        let alerts = try #require(page.json?["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let stored = try #require(alerts.first?["alert"] as? [String: Any])
        #expect(stored["stream"] as? String == "known-clip")
        #expect((stored["frames_matched"] as? Int ?? 0) >= 5)
        let deliveries = try #require(alerts.first?["deliveries"] as? [[String: Any]])
        #expect(Set(deliveries.compactMap { $0["state"] as? String }) == ["delivered"])
        #expect(Set(deliveries.compactMap { $0["sink"] as? String }) == ["hook", "jsonl"])
        let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
        for stream in streams {
            #expect(stream["frames_in"] as? Int == 6, "\(stream)")
            #expect(stream["frames_sampled"] as? Int == 6, "\(stream)")
            #expect(stream["keyframe_gap_seconds"] as? Double == 2)
        }
        let metrics = try await API.call(.GET, daemon.base + "/metrics").text
        #expect(metrics.contains(#"vigil_stream_frames_in_total{stream="known-clip"} 6"#))
        #expect(metrics.contains(#"vigil_alerts_raised_total{bank="known"} 1"#))
        #expect(metrics.contains(#"vigil_alert_delivery_latency_seconds_count{sink="hook"} 1"#))
        // Every hashed picture's lag is recorded, and the clips play in real time: none is late.
        func value(_ name: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        let hashed = try #require(value("vigil_hashing_frames_total"))
        #expect(hashed >= 12)
        #expect(value("vigil_sample_lag_seconds_count") == hashed)
        #expect(value(#"vigil_sample_lag_seconds_bucket{le="2.0"}"#) == hashed, "\(metrics)")

        // The alerts the daemon produced validate against the published schema.
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 1)
        let results = try await SchemaValidator.validate(lines + [String(decoding: request.body, as: UTF8.self)],
                                                         schema: SchemaValidator.schemaPath())
        #expect(results.allSatisfy { $0 == "ok" }, "\(results)")
        await daemon.stop()
        await receiver.stop()
    }
}

extension EndToEndTests {
    @Test("live over UDP: the known stream alerts within 2 s of its key frame arriving; the unrelated one stays silent for 30 s",
          .timeLimit(.minutes(2)))
    func liveUDP() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = try await SampleClips.knownBank(in: directory)
        let receiver = WebhookReceiver()
        try await receiver.start()
        let port = try freeLoopbackPort(udp: true)
        let otherPort = try freeLoopbackPort(udp: true)
        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [bank])]
            config.streams = [
                StreamSpec(id: "known-live", url: "udp://127.0.0.1:\(port)"),
                StreamSpec(id: "unrelated-live", url: "udp://127.0.0.1:\(otherPort)"),
            ]
            config.alerts.webhooks = [WebhookSpec(name: "hook", url: receiver.url, secret: Self.secret)]
        }
        let started = ContinuousClock.now
        let knownSender = try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\(port)?pkt_size=1316", seconds: 40)
        defer { stopRealTimeSender(knownSender) }
        let unrelatedSender = try startRealTimeSender(SampleClips.unrelated, to: "udp://127.0.0.1:\(otherPort)?pkt_size=1316", seconds: 40)
        defer { stopRealTimeSender(unrelatedSender) }

        let requests = await receiver.waitFor(count: 1, timeout: .seconds(25))
        let request = try #require(requests.first)
        let alert = try #require(try AlertCoding.decode(request.body).match)
        #expect(alert.stream == "known-live")
        #expect(alert.entry.id == "mandelbrot-zoom")
        let latency = request.receivedAt.timeIntervalSince(alert.frame.observedAt)
        #expect(latency < 2, "key frame arrival to webhook took \(latency) s")
        let timestamp = try #require(request.header("X-Vigil-Timestamp").flatMap(Int.init))
        #expect(WebhookSignature.verify(body: request.body, timestamp: timestamp, secret: Self.secret,
                                        signature: request.header("X-Vigil-Signature") ?? ""))

        // The unrelated stream has played for 30 s by now: still the one alert, both streams live.
        try await Task.sleep(until: started + .seconds(30), clock: .continuous)
        #expect(receiver.received.count == 1, "\(receiver.received.map { String(decoding: $0.body, as: UTF8.self) })")
        let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
        for stream in streams {
            #expect(stream["state"] as? String == "live", "\(stream)")
            #expect((stream["frames_sampled"] as? Int ?? 0) >= 10, "\(stream)")
        }
        await daemon.stop()
        await receiver.stop()
    }
}

/// Polls `condition` every 50 ms until it holds; fails the test after `timeout`.
func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(timeout)")
    throw CancellationError()
}
