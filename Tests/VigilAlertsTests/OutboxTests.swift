import Foundation
import GRDB
import Testing
import VigilAlerts

@Suite("Outbox (SQLite)")
struct OutboxTests {
    @Test("an enqueued alert is committed with a pending delivery per sink, in WAL mode")
    func enqueue() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let alert = TestAlerts.alert(1)
        try await outbox.enqueue(alert, sinks: ["webhook", "jsonl"], now: TestAlerts.base)
        try await outbox.enqueue(alert, sinks: ["webhook", "jsonl"], now: TestAlerts.base)  // idempotent
        let stored = try #require(try await outbox.alert(alert.id))
        #expect(stored.alert == .match(alert))
        #expect(stored.deliveries.map(\.sink) == ["jsonl", "webhook"])
        #expect(stored.deliveries.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.idempotencyKey == alert.id.rawValue })
        let mode = try await outbox.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // 2 is FULL: the commit that accepts an alert waits for the disk, on the connection that writes.
        let synchronous = try await outbox.database.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)
        let head = try #require(try await outbox.head(sink: "webhook"))
        #expect(try AlertCoding.decode(head.body) == .match(alert))
    }

    @Test("everything survives closing and reopening the database from disk")
    func reopen() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        let ids = AlertIDGenerator()
        let alerts = (0..<5).map { TestAlerts.alert($0, ids: ids) }
        do {
            let outbox = try Outbox(path: path)
            for alert in alerts { try await outbox.enqueue(alert, sinks: ["hook"], now: TestAlerts.base) }
            let head = try #require(try await outbox.head(sink: "hook"))
            try await outbox.markDelivered(head.record.sequence, at: TestAlerts.base)
            let next = try #require(try await outbox.head(sink: "hook"))
            try await outbox.markFailed(next.record.sequence, error: "HTTP 503", retryAt: TestAlerts.base.addingTimeInterval(4), at: TestAlerts.base)
        }
        let reopened = try Outbox(path: path)
        let listed = try await reopened.alerts()
        #expect(listed.map(\.alert.id) == alerts.map(\.id))
        #expect(listed[0].deliveries[0].state == .delivered)
        #expect(listed[1].deliveries[0].attempts == 1)
        #expect(listed[1].deliveries[0].lastError == "HTTP 503")
        let head = try #require(try await reopened.head(sink: "hook"))
        #expect(head.record.alertID == alerts[1].id)
        #expect(head.record.nextAttemptAt == TestAlerts.base.addingTimeInterval(4))
        #expect(try await reopened.pendingCount(sink: "hook") == 4)
        let page = try await reopened.alerts(after: alerts[2].id, limit: 1)
        #expect(page.map(\.alert.id) == [alerts[3].id])
    }

    @Test("updates change the stored incident but not the delivered body")
    func update() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let alert = TestAlerts.alert(3)
        try await outbox.enqueue(alert, sinks: ["hook"])
        var later = alert
        later.framesMatched = 9
        later.lastSeen = alert.lastSeen.addingTimeInterval(30)
        try await outbox.update(later)
        #expect(try await outbox.alert(alert.id)?.alert == .match(later))
        let head = try #require(try await outbox.head(sink: "hook"))
        #expect(try AlertCoding.decode(head.body) == .match(alert))
        let summary = try await outbox.sinkSummaries()
        #expect(summary.map(\.sink) == ["hook"])
        #expect(summary.first?.pending == 1)
    }
}
