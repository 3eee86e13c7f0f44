import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

/// An allow-list bank in the daemon: the known clip, also listed as known benign, raises nothing,
/// and the daemon agrees with `vigil scan --allow` on the same files.
@Suite("Allow-list banks in vigil serve", .serialized)
struct AllowListServeTests {
    @Test("a role: allow bank silences the known clip in a stream, counted per bank; without it the clip alerts",
          .timeLimit(.minutes(2)))
    func silencesStream() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let known = try await SampleClips.knownBank(in: directory)
        // The known clip's own key frames as the platform's benign intro: nearer than the bank's.
        let intro = directory.appendingPathComponent("intro.txt").path
        try FileManager.default.copyItem(atPath: known, toPath: intro)

        let scan = try await runProcess(VigilExecutable.path(), ["scan", "--bank", known, "--allow", intro, "--json", SampleClips.known])
        let verdict = try #require(scan.stdoutText.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.first { $0["type"] as? String == "verdict" }, "\(scan.stdoutText) \(scan.stderrText)")
        #expect(verdict["matched"] as? Bool == false)
        let silenced = try #require((verdict["suppressed"] as? [String: Int])?["intro"])
        #expect(silenced > 0)

        let daemon = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            var allow = BankSpec(name: "intro", paths: [intro])
            allow.role = .allow
            config.banks = [BankSpec(name: "known", paths: [known]), allow]
            config.streams = [StreamSpec(id: "clip", url: SampleClips.known)]
            config.hashing.queuePerStream = 32
            config.hashing.maxQueued = 256
        }
        try await waitUntil(timeout: .seconds(60)) {
            let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
            return streams.first?["state"] as? String == "ended"
                && streams.first?["frames_sampled"] as? Int == verdict["frames_hashed"] as? Int
        }
        let banks = try await API.call(.GET, daemon.base + "/v1/banks").json?["banks"] as? [[String: Any]] ?? []
        #expect(banks.first { $0["name"] as? String == "intro" }?["role"] as? String == "allow")
        let metrics = try await API.call(.GET, daemon.base + "/metrics").text
        #expect(metrics.contains("vigil_allow_suppressions_total{bank=\"intro\"} \(silenced)"), "\(metrics)")
        let alerts = try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []
        #expect(alerts.isEmpty, "\(alerts)")
        await daemon.stop()

        // The control: the same daemon without the allow-list alerts on the clip.
        let control = try await TestDaemon.start(sources: SessionFrameSourceFactory()) { config in
            config.banks = [BankSpec(name: "known", paths: [known])]
            config.streams = [StreamSpec(id: "clip", url: SampleClips.known)]
        }
        try await waitUntil(timeout: .seconds(60)) {
            !(try await API.call(.GET, control.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []).isEmpty
        }
        await control.stop()
    }
}
