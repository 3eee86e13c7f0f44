import Foundation
import Synchronization
import Testing
import VigilAlerts
import VigilTestSupport

/// The real SQLite outbox, with its writes of delivery outcomes made to fail for a while, as a
/// full disk or a locked database does.
final class FailingRecords: AlertOutbox {
    let outbox: Outbox
    /// Outcome writes still to fail.
    let failuresLeft: Mutex<Int>

    init(_ outbox: Outbox, failing: Int) {
        self.outbox = outbox
        failuresLeft = Mutex(failing)
    }

    private func fault(_ operation: String) throws(OutboxError) {
        let fails = failuresLeft.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fails { throw OutboxError(operation: operation, reason: "database or disk is full") }
    }

    func enqueue(_ alert: RaisedAlert, sinks: [String], now: Date) async throws(OutboxError) -> Bool {
        try await outbox.enqueue(alert, sinks: sinks, now: now)
    }
    func update(_ alerts: [Alert]) async throws(OutboxError) { try await outbox.update(alerts) }
    func markDelivered(_ sequence: Int64, at now: Date) async throws(OutboxError) {
        try fault("recording delivery \(sequence)")
        try await outbox.markDelivered(sequence, at: now)
    }
    func markFailed(_ sequence: Int64, error: String, retryAt: Date, at now: Date) async throws(OutboxError) {
        try fault("recording a failed delivery \(sequence)")
        try await outbox.markFailed(sequence, error: error, retryAt: retryAt, at: now)
    }
    func markDead(_ sequence: Int64, error: String, countAttempt: Bool, at now: Date) async throws(OutboxError) {
        try await outbox.markDead(sequence, error: error, countAttempt: countAttempt, at: now)
    }
    func requeueDead(sink: String, from: AlertID?, through: AlertID?, at now: Date) async throws(OutboxError) -> Int {
        try await outbox.requeueDead(sink: sink, from: from, through: through, at: now)
    }
    func dropSink(_ sink: String) async throws(OutboxError) -> Int { try await outbox.dropSink(sink) }
    func prune(committedBefore cutoff: Date) async throws(OutboxError) -> Int { try await outbox.prune(committedBefore: cutoff) }
    func head(sink: String) async throws(OutboxError) -> PendingDelivery? { try await outbox.head(sink: sink) }
    func alerts(after: AlertID?, limit: Int) async throws(OutboxError) -> [StoredAlert] { try await outbox.alerts(after: after, limit: limit) }
    func alert(_ id: AlertID) async throws(OutboxError) -> StoredAlert? { try await outbox.alert(id) }
    func sinkSummaries() async throws(OutboxError) -> [SinkSummary] { try await outbox.sinkSummaries() }
    func pendingCount(sink: String) async throws(OutboxError) -> Int { try await outbox.pendingCount(sink: sink) }
    func deliveries(of id: AlertID) async throws(OutboxError) -> [DeliveryRecord] { try await outbox.deliveries(of: id) }
}

@Suite("Recording delivery outcomes")
struct DeliveryRecordingTests {
    /// Commits `alerts` to a hub delivering `outbox` to `receiver` (started here, stopped after)
    /// and waits until the hook's queue is empty.
    static func deliver(_ alerts: [Alert], from outbox: FailingRecords, to receiver: WebhookReceiver) async throws {
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let client = WebhookSink.makeHTTPClient()
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: receiver.url, secret: "s"), client: client)
        let settings = DeliveryWorker.Settings(retry: RetryPolicy(initial: 0.05, multiplier: 2, maximum: 0.2), idlePoll: 0.05)
        let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: settings)
        let running = Task { await hub.run() }
        defer { running.cancel() }
        for alert in alerts { try await hub.commit(alert) }
        try await waitUntil(timeout: .seconds(20)) { try await outbox.pendingCount(sink: "hook") == 0 }
    }
    @Test("an acknowledged alert whose delivery cannot be written down is written again, never sent again",
          .timeLimit(.minutes(2)))
    func acknowledgementRetriedAsWrite() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = FailingRecords(try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path), failing: 4)
        let receiver = WebhookReceiver()
        let alerts = (0..<2).map { TestAlerts.alert($0) }
        try await Self.deliver(alerts, from: outbox, to: receiver)
        #expect(outbox.failuresLeft.withLock { $0 } == 0, "the writes did fail")
        let keys = receiver.received.compactMap { $0.header("Idempotency-Key") }
        #expect(keys == alerts.map(\.id.rawValue), "each alert sent once: \(keys)")
        for alert in alerts {
            let record = try #require(try await outbox.deliveries(of: alert.id).first)
            #expect(record.state == .delivered && record.attempts == 1, "\(record)")
        }
    }

    @Test("a failed try that cannot be written down is written again with backoff, not retried at once against the sink",
          .timeLimit(.minutes(2)))
    func failureRetriedAsWrite() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = FailingRecords(try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path), failing: 3)
        let answers = Mutex(0)
        let receiver = WebhookReceiver { _ in
            answers.withLock { count in
                count += 1
                return count == 1 ? .serviceUnavailable : .ok
            }
        }
        let alert = TestAlerts.alert(0)
        try await Self.deliver([alert], from: outbox, to: receiver)
        // One refused try (its record written after three failed writes), one delivered.
        #expect(receiver.received.count == 2)
        let record = try #require(try await outbox.deliveries(of: alert.id).first)
        #expect(record.state == .delivered && record.attempts == 2, "\(record)")
    }
}
