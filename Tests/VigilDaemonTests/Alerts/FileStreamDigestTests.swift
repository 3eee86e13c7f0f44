import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

@Suite("File streams against known files (video_md5)", .serialized)
struct FileStreamDigestTests {
    @Test("a file stream that is exactly a known file raises one file_match alert, valid against the schema, and none again after a restart; another file raises none",
          .timeLimit(.minutes(2)))
    func fileMatch() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let md5 = try await runProcess("/usr/bin/md5sum", [SampleClips.unrelated]).stdoutText.split(separator: " ").first.map(String.init) ?? ""
        let bank = directory.appendingPathComponent("uploads.csv").path
        try """
            signal_type,signal_str,collab,category,tags
            video_md5,\(md5),partner,POSITIVE_CLASS,
            """.write(toFile: bank, atomically: true, encoding: .utf8)
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        func start() async throws -> TestDaemon {
            try await TestDaemon.start(stateDirectory: state, sources: SessionFrameSourceFactory()) { config in
                config.banks = [BankSpec(name: "uploads", paths: [bank])]
                config.streams = [StreamSpec(id: "copy", url: SampleClips.unrelated), StreamSpec(id: "other", url: SampleClips.known)]
            }
        }
        func storedAlerts(of daemon: TestDaemon) async throws -> [[String: Any]] {
            (try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []).compactMap { $0["alert"] as? [String: Any] }
        }
        func bothPlayedOut(_ daemon: TestDaemon) async throws {
            try await waitUntil(timeout: .seconds(40)) {
                let streams = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
                return streams.count == 2 && streams.allSatisfy { $0["state"] as? String == "ended" }
            }
        }
        var daemon = try await start()
        try await waitUntil(timeout: .seconds(30)) { try await !storedAlerts(of: daemon).isEmpty }
        // Both streams play out; only the copy is known.
        try await bothPlayedOut(daemon)
        let alerts = try await storedAlerts(of: daemon)
        await daemon.stop()
        #expect(alerts.count == 1, "\(alerts)")

        // Started again on the same state, the file streams are read again and the copy found
        // again: its file match is a fact about the file, already raised — no second alert.
        daemon = try await start()
        try await bothPlayedOut(daemon)
        let again = try await storedAlerts(of: daemon)
        await daemon.stop()
        #expect(again.count == 1 && again.first?["id"] as? String == alerts.first?["id"] as? String, "\(again)")
        let alert = try #require(alerts.first)
        #expect(alert["kind"] as? String == "file_match")
        #expect(alert["stream"] as? String == "copy")
        #expect(alert["md5"] as? String == md5)
        #expect((alert["entry"] as? [String: Any])?["id"] as? String == "\(bank):2")
        #expect((alert["entry"] as? [String: Any])?["label"] as? String == "partner")
        let line = String(decoding: try JSONSerialization.data(withJSONObject: alert), as: UTF8.self)
        #expect(try await SchemaValidator.validate([line], schema: SchemaValidator.schemaPath()) == ["ok"])
    }
}
