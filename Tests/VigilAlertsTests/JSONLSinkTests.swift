import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

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
        } catch let error as AlertFileError {
            #expect(error.description.contains("/nonexistent-dir/alerts.jsonl"))
        }
    }

    static func outgoing(_ alert: Alert) throws -> OutgoingAlert {
        OutgoingAlert(alertID: alert.id, body: try AlertCoding.encode(alert), attempt: 1, idempotencyKey: alert.id.rawValue)
    }

    static func ids(in path: String) throws -> [AlertID] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "the file ends with a whole line")
        return try text.split(separator: "\n").map { try AlertCoding.decode(Data($0.utf8)).id }
    }

    @Test("a line a crash cut short is dropped when the file is next opened")
    func tornLine() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("alerts.jsonl").path
        let alerts = (0..<3).map { TestAlerts.alert($0) }
        let whole = try alerts[0..<2].map { String(decoding: try AlertCoding.encode($0), as: UTF8.self) + "\n" }.joined()
        let torn = String(String(decoding: try AlertCoding.encode(alerts[2]), as: UTF8.self).prefix(40))
        try (whole + torn).write(toFile: path, atomically: true, encoding: .utf8)
        try await JSONLSink(path: path).deliver(Self.outgoing(alerts[2]))
        #expect(try Self.ids(in: path) == alerts.map(\.id))
    }

    @Test("a write the full disk cut short is taken back; the retry after space returns writes one whole line",
          .timeLimit(.minutes(1)))
    func fullDisk() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let disk = try await TmpfsMount.mount(bytes: 64 << 10, under: directory)
        defer { Task { await disk.unmount() } }
        let path = disk.path + "/alerts.jsonl"
        let sink = JSONLSink(path: path)
        // Alerts until the next line would cross into a page the full disk will not give.
        var delivered: [AlertID] = []
        var next = TestAlerts.alert(0)
        while true {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let line = try AlertCoding.encode(next).count + 1
            if size > 0, size % 4096 + line > 4096 { break }
            try await sink.deliver(Self.outgoing(next))
            delivered.append(next.id)
            next = TestAlerts.alert(delivered.count)
        }
        let before = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        try disk.fill()
        let refused = next
        await #expect(throws: AlertFileError.self) { try await sink.deliver(Self.outgoing(refused)) }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == before, "the half line was taken back")
        #expect(try Self.ids(in: path) == delivered)

        disk.free()
        try await sink.deliver(Self.outgoing(refused))
        #expect(try Self.ids(in: path) == delivered + [refused.id])
    }
}
