import Foundation
import Testing
import VigilAlerts

@Suite("JSONL sink")
struct JSONLSinkTests {
    @Test("appends one alert per line, keeps what was there, and creates the file private")
    func appends() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("alerts.jsonl").path
        let sink = JSONLSink(path: path)
        let alerts = (0..<3).map { TestAlerts.alert($0) }
        for alert in alerts {
            try await sink.deliver(OutgoingAlert(alertID: alert.id, body: try AlertCoding.encode(alert), attempt: 1, idempotencyKey: alert.id.rawValue))
        }
        let second = JSONLSink(path: path)
        try await second.deliver(OutgoingAlert(alertID: alerts[0].id, body: try AlertCoding.encode(alerts[0]), attempt: 2, idempotencyKey: alerts[0].id.rawValue))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(try lines.map { try AlertCoding.decode(Data($0.utf8)).id } == alerts.map(\.id) + [alerts[0].id])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("an unwritable path is a failed try naming the file")
    func unwritable() async throws {
        let sink = JSONLSink(path: "/nonexistent-dir/alerts.jsonl")
        let alert = TestAlerts.alert(0)
        do {
            try await sink.deliver(OutgoingAlert(alertID: alert.id, body: try AlertCoding.encode(alert), attempt: 1, idempotencyKey: "k"))
            Issue.record("expected a failure")
        } catch let error as FileSinkError {
            #expect(error.description.contains("/nonexistent-dir/alerts.jsonl"))
        }
    }
}
