import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

/// The daemon as a platform runs it (`vigil serve`, configured with discovery only) in front of
/// a real nginx-rtmp that ffmpeg publishes to.
@Suite("Discovery from a real nginx-rtmp, through vigil serve", .serialized)
struct NginxDiscoveryTests {
    /// `ffmpeg -re` publishing `clip` to `url` in a loop, without re-encoding.
    static func publish(_ clip: String, to url: String, in directory: URL) throws -> ChildProcess {
        try ChildProcess("ffmpeg-\(url.split(separator: "/").last ?? "")", "/usr/bin/ffmpeg", [
            "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url,
        ], directory: directory)
    }

    static func alerts(in file: String) -> [RaisedAlert] {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? AlertCoding.decode(Data($0.utf8)) }
    }

    @Test("a known clip published alerts within 10 s, an unrelated one never; both leave within 5 s of unpublishing",
          .timeLimit(.minutes(2)))
    func publishAndUnpublish() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nginx = try await NginxRTMPServer.start(in: directory)
        defer { nginx.process.stop() }
        let bank = try await SampleClips.knownBank(in: directory)
        let port = try freeLoopbackPort()
        let alertsFile = directory.appendingPathComponent("alerts.jsonl").path
        let config = directory.appendingPathComponent("vigil.yml").path
        let token = "discovery-test-token-0123456789"
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(token)
            state_dir: \(directory.appendingPathComponent("state").path)
            log: {format: json, level: info}
            banks:
              - {name: known, path: \(bank)}
            discovery:
              - name: edge
                kind: nginx-rtmp
                url: http://127.0.0.1:\(nginx.httpPort)/stat
                play_url: rtmp://127.0.0.1:\(nginx.rtmpPort)/{app}/{name}
                interval: 1s
            alerts:
              jsonl: \(alertsFile)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("daemon.log"))
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil(timeout: .seconds(20)) { (try? await API.call(.GET, base + "/healthz", token: nil))?.status == 200 }
        func streams() async throws -> [String: [String: Any]] {
            let list = try await API.call(.GET, base + "/v1/streams", token: token).json?["streams"] as? [[String: Any]] ?? []
            return Dictionary(list.compactMap { s in (s["id"] as? String).map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        }
        #expect(try await streams().isEmpty, "nothing is published yet")

        let published = ContinuousClock.now
        var known: ChildProcess? = try Self.publish(SampleClips.known, to: "rtmp://127.0.0.1:\(nginx.rtmpPort)/live/known", in: directory)
        var other: ChildProcess? = try Self.publish(SampleClips.unrelated, to: "rtmp://127.0.0.1:\(nginx.rtmpPort)/live/other", in: directory)
        defer { known?.stop(); other?.stop() }

        // Watched within one interval plus 2 s of publishing.
        try await waitUntil(timeout: .seconds(3)) { try await Set(streams().keys) == ["live-known", "live-other"] }
        let watchedAfter = ContinuousClock.now - published
        let listed = try await streams()
        #expect(listed["live-known"]?["origin"] as? String == "discovery:edge")
        #expect(listed["live-known"]?["url"] as? String == "rtmp://127.0.0.1:\(nginx.rtmpPort)/live/known")

        // The known clip alerts within 10 s of publishing.
        try await waitUntil(timeout: .seconds(10)) { Self.alerts(in: alertsFile).contains { $0.stream == "live-known" } }
        let alertedAfter = ContinuousClock.now - published
        #expect(alertedAfter < .seconds(10))
        // The other was really watched (frames hashed) and raised nothing.
        try await waitUntil(timeout: .seconds(10)) { (try await streams()["live-other"]?["frames_sampled"] as? Int ?? 0) >= 3 }

        // Publishing stops: both streams leave within 5 s.
        known?.stop()
        other?.stop()
        (known, other) = (nil, nil)
        let unpublished = ContinuousClock.now
        try await waitUntil(timeout: .seconds(5)) { try await streams().isEmpty }
        let releasedAfter = ContinuousClock.now - unpublished

        let sources = try await API.call(.GET, base + "/v1/discovery", token: token).json?["sources"] as? [[String: Any]]
        #expect(sources?.first?["healthy"] as? Bool == true)
        #expect(await daemon.terminate(timeout: 15) == 0)
        let alerts = Self.alerts(in: alertsFile)
        #expect(!alerts.contains { $0.stream == "live-other" }, "the unrelated clip never alerts")
        print("nginx-rtmp discovery: watched after \(watchedAfter), alert after \(alertedAfter), released after \(releasedAfter)")
    }
}
