import Foundation
import Synchronization
import Testing
import VigilAlerts

/// A sink that records what it was given and fails as told.
final class ScriptedSink: AlertSink {
    let name: String
    private let log = Mutex<[OutgoingAlert]>([])
    /// Whether a try should fail, given the alert and how many tries the sink saw before it.
    let fails: @Sendable (OutgoingAlert, Int) -> Bool

    init(name: String = "scripted", fails: @escaping @Sendable (OutgoingAlert, Int) -> Bool = { _, _ in false }) {
        self.name = name
        self.fails = fails
    }

    var tries: [OutgoingAlert] { log.withLock { $0 } }

    func deliver(_ delivery: OutgoingAlert) async throws {
        let seen = log.withLock { log -> Int in
            defer { log.append(delivery) }
            return log.count
        }
        if fails(delivery, seen) { throw WebhookError.status(url: "test:", code: 503, body: "try later") }
    }
}

@Suite("Delivery worker")
struct DeliveryWorkerTests {
    static let fast = DeliveryWorker.Settings(retry: RetryPolicy(initial: 0.01, multiplier: 2, maximum: 0.05), idlePoll: 0.05)

    @Test("a failing alert holds back the sink's queue: order is kept and nothing is lost",
          .timeLimit(.minutes(3)))
    func orderUnderFailure() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let ids = AlertIDGenerator()
        let alerts = (0..<8).map { TestAlerts.alert($0, ids: ids) }
        let failing = alerts[2].id
        // Alert 2 fails its first four tries.
        let sink = ScriptedSink { delivery, _ in delivery.alertID == failing && delivery.attempt <= 4 }
        let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: Self.fast)
        let running = Task { await hub.run() }
        defer { running.cancel() }
        for alert in alerts { try await hub.commit(alert) }
        try await waitUntil { try await outbox.pendingCount(sink: sink.name) == 0 }
        let tries = sink.tries
        #expect(tries.filter { $0.alertID == failing }.map(\.attempt) == [1, 2, 3, 4, 5])
        // First appearance of each alert is in commit order; no alert overtook the failing one.
        var firstSeen: [AlertID] = []
        for delivery in tries where !firstSeen.contains(delivery.alertID) { firstSeen.append(delivery.alertID) }
        #expect(firstSeen == alerts.map(\.id))
        let lastFailingTry = try #require(tries.lastIndex { $0.alertID == failing })
        #expect(tries[..<lastFailingTry].allSatisfy { alerts[..<3].map(\.id).contains($0.alertID) })
        #expect(tries.allSatisfy { $0.idempotencyKey == $0.alertID.rawValue })
        let stored = try await outbox.alert(failing)
        #expect(stored?.deliveries.first?.state == .delivered)
        #expect(stored?.deliveries.first?.attempts == 5)
    }

    @Test("an alert failing past its maximum age is dead-lettered and the queue moves on",
          .timeLimit(.minutes(3)))
    func deadLetter() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let ids = AlertIDGenerator()
        let alerts = (0..<3).map { TestAlerts.alert($0, ids: ids) }
        let poisoned = alerts[0].id
        let sink = ScriptedSink { delivery, _ in delivery.alertID == poisoned }
        var settings = Self.fast
        settings.deadLetterAfter = 0.3
        let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: settings)
        let running = Task { await hub.run() }
        defer { running.cancel() }
        for alert in alerts { try await hub.commit(alert) }
        try await waitUntil { try await outbox.pendingCount(sink: sink.name) == 0 }
        let summary = try #require(try await outbox.sinkSummaries().first)
        #expect(summary.dead == 1)
        #expect(summary.delivered == 2)
        let dead = try #require(try await outbox.alert(poisoned)?.deliveries.first)
        #expect(dead.state == .dead)
        #expect(dead.lastError?.contains("503") == true)
        #expect(dead.attempts >= 1)
    }

    @Test("each sink keeps its own queue: a failing sink does not hold up another",
          .timeLimit(.minutes(3)))
    func independentSinks() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let healthy = ScriptedSink(name: "healthy")
        let broken = ScriptedSink(name: "broken") { _, _ in true }
        let hub = DeliveryHub(outbox: outbox, sinks: [healthy, broken], settings: Self.fast)
        let running = Task { await hub.run() }
        defer { running.cancel() }
        let ids = AlertIDGenerator()
        for number in 0..<4 { try await hub.commit(TestAlerts.alert(number, ids: ids)) }
        try await waitUntil { try await outbox.pendingCount(sink: "healthy") == 0 }
        #expect(try await outbox.pendingCount(sink: "broken") == 4)
        #expect(Set(broken.tries.map(\.alertID)).count == 1)
    }
}

/// Polls `condition` every 20 ms until it holds; fails the test after `timeout`.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met within \(timeout)")
    throw CancellationError()
}
