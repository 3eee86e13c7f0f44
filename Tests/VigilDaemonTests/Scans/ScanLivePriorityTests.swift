import Foundation
import Testing
import VigilTestSupport

/// Live streams keep their pace while scan jobs run: jobs read at the lowest CPU priority and hash
/// only when no live frame waits.
@Suite("Scan jobs beside live streams, with the built binary", .serialized)
struct ScanLivePriorityTests {
    /// The `vigil_sample_lag_seconds` histogram's cumulative buckets (upper bound → count).
    static func lagBuckets(_ base: String) async throws -> [(bound: Double, count: Double)] {
        let text = try await API.call(.GET, base + "/metrics", token: ScanJobHarness.token).text
        return text.split(separator: "\n").compactMap { line -> (Double, Double)? in
            guard line.hasPrefix("vigil_sample_lag_seconds_bucket{"), let open = line.range(of: "le=\""),
                  let close = line[open.upperBound...].firstIndex(of: "\""),
                  let count = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return nil }
            let bound = line[open.upperBound..<close] == "+Inf" ? Double.infinity : Double(line[open.upperBound..<close]) ?? .nan
            return (bound, count)
        }.sorted { $0.0 < $1.0 }
    }

    /// The `quantile` of the samples recorded between two readings: the upper bound of the
    /// bucket it falls in, and the number of samples.
    static func quantile(_ quantile: Double, from start: [(bound: Double, count: Double)], to end: [(bound: Double, count: Double)]) -> (Double, Int) {
        let deltas = end.map { bucket in (bucket.bound, bucket.count - (start.first { $0.bound == bucket.bound }?.count ?? 0)) }
        guard let total = deltas.last?.1, total > 0 else { return (.nan, 0) }
        let bound = deltas.first { $0.1 >= quantile * total }?.0 ?? .infinity
        return (bound, Int(total))
    }

    @Test("4 live streams: a burst of 20 jobs raises their key frame → alert latency (p99) by at most 200 ms",
          .timeLimit(.minutes(6)))
    func liveKeepsPriority() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        let clips = try await harness.clips()
        let ports = try (0..<4).map { _ in try freeLoopbackPort(udp: true) }
        let apiPort = try freeLoopbackPort()
        let streams = "streams:\n" + ports.enumerated().map { "  - {id: live\($0.offset), url: \"udp://127.0.0.1:\($0.element)\"}" }.joined(separator: "\n")
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 1, extra: streams)
        let daemon = try await harness.serve(config: config, apiPort: apiPort, log: "serve.log")
        defer { daemon.kill9() }
        let base = "http://127.0.0.1:\(apiPort)"
        // The known clip on every stream, looped: every key frame is a match to be alerted.
        let senders = try ports.map { try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\($0)?pkt_size=1316", seconds: 150) }
        defer { for sender in senders { stopRealTimeSender(sender) } }
        try await waitUntil(timeout: .seconds(30)) {
            let streams = try await API.call(.GET, base + "/v1/streams", token: ScanJobHarness.token).json?["streams"] as? [[String: Any]] ?? []
            return streams.count == 4 && streams.allSatisfy { ($0["frames_sampled"] as? Int ?? 0) > 0 }
        }

        // Live only.
        let quietStart = try await Self.lagBuckets(base)
        try await Task.sleep(for: .seconds(25))
        let quietEnd = try await Self.lagBuckets(base)
        // A burst of jobs, measured while they run.
        for index in 0..<20 {
            let clip = clips[index % clips.count]
            #expect(try await harness.submit(base, source: clip.path, id: "burst-\(index)").status == 202)
        }
        var jobs: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(240)) {
            jobs = try await harness.jobs(base)
            return jobs.count == 20 && jobs.allSatisfy { $0["state"] as? String == "done" }
        }
        let burstEnd = try await Self.lagBuckets(base)

        let (quietP99, quietSamples) = Self.quantile(0.99, from: quietStart, to: quietEnd)
        let (burstP99, burstSamples) = Self.quantile(0.99, from: quietEnd, to: burstEnd)
        let (quietP50, _) = Self.quantile(0.5, from: quietStart, to: quietEnd)
        let (burstP50, _) = Self.quantile(0.5, from: quietEnd, to: burstEnd)
        print("live key frame → detection lag, 4 streams: live only p50 ≤ \(quietP50) s, p99 ≤ \(quietP99) s (\(quietSamples) samples); "
              + "during 20 jobs p50 ≤ \(burstP50) s, p99 ≤ \(burstP99) s (\(burstSamples) samples)")
        #expect(quietSamples >= 20 && burstSamples >= 10)
        #expect(burstP99 - quietP99 <= 0.2, "p99 rose from \(quietP99) s to \(burstP99) s while jobs ran")
        // The streams were matched throughout, and alerted on.
        let alerts = try await harness.alerts(base)
        #expect(Set(alerts.compactMap { $0["stream"] as? String }.filter { $0.hasPrefix("live") }).count == 4)
        #expect(await daemon.terminate(timeout: 20) == 0)
    }
}
