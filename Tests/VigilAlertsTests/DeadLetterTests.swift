import Foundation
import Synchronization
import Testing
import VigilAlerts
import VigilTestSupport

/// Dead letters against a real receiver on 127.0.0.1, on a clock the test moves: an outage is no
/// reason to give up, a refusal is, and what was given up can be sent again.
@Suite("Dead letters and replay", .serialized)
struct DeadLetterTests {
    /// A wall clock the test sets.
    final class TestClock: Sendable {
        private let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func read() -> Date { now.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    }

    static func ids(in requests: [WebhookReceiver.Request]) -> [String] {
        requests.compactMap { $0.header("Idempotency-Key") }
    }

    @Test("a 3-hour receiver outage with dead_letter_after 1 h: every alert delivered after it, in order, none dead-lettered",
          .timeLimit(.minutes(2)))
    func longOutage() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let receiver = WebhookReceiver()
        try await receiver.start()
        let port = receiver.port
        await receiver.stop()
        let client = WebhookSink.makeHTTPClient()
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: receiver.url, secret: "s", timeout: .milliseconds(500)), client: client)
        let clock = TestClock()
        let settings = DeliveryWorker.Settings(retry: RetryPolicy(initial: 1, multiplier: 2, maximum: 900), deadLetterAfter: 3600, idlePoll: 0.05)
        let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: settings, clock: { clock.read() })
        let running = Task { await hub.run() }
        defer { running.cancel() }
        let generator = AlertIDGenerator()
        let alerts = (0..<5).map { TestAlerts.alert($0, ids: generator) }
        for alert in alerts { try await hub.commit(alert, now: clock.read()) }

        // Three hours of refused connections, a quarter of an hour at a time.
        var head: DeliveryRecord?
        for _ in 0..<12 {
            clock.advance(900)
            try await waitUntil(timeout: .seconds(10)) {
                let record = try await outbox.deliveries(of: alerts[0].id).first
                defer { head = record }
                return record?.lastAttemptAt.map { $0 >= clock.read() } == true
            }
        }
        #expect((head?.attempts ?? 0) >= 12, "the worker kept trying through the outage: \(String(describing: head))")
        #expect(try await outbox.sinkSummaries().first?.dead == 0)

        // The receiver is back; time goes on (the HTTP client may hold back new connections for
        // a while after so many refusals, which costs a try or two) until every alert has arrived
        // and its delivery is recorded, which happens after the receiver's answer.
        try await receiver.start(port: port)
        let back = ContinuousClock.now
        var summary = try await outbox.sinkSummaries().first
        while Set(Self.ids(in: receiver.received)).count < alerts.count || summary?.delivered != alerts.count,
              ContinuousClock.now - back < .seconds(60) {
            clock.advance(900)
            try await Task.sleep(for: .milliseconds(250))
            summary = try await outbox.sinkSummaries().first
        }
        // At least once: a try whose answer came after the client's deadline is sent again, under
        // the same key. In order of first arrival, each alert once.
        var firstArrivals: [String] = []
        for key in Self.ids(in: receiver.received) where !firstArrivals.contains(key) { firstArrivals.append(key) }
        #expect(firstArrivals == alerts.map(\.id.rawValue))
        #expect(summary?.dead == 0 && summary?.delivered == alerts.count, "\(String(describing: summary))")
        await receiver.stop()
    }

    @Test("a receiver answering 400 dead-letters at once with its answer recorded; replayed in order, by range, once fixed",
          .timeLimit(.minutes(2)))
    func refusedThenReplayed() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let broken = Atomic<Bool>(true)
        let receiver = WebhookReceiver { _ in broken.load(ordering: .relaxed) ? .badRequest : .ok }
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let client = WebhookSink.makeHTTPClient()
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: receiver.url, secret: "s"), client: client)
        let settings = DeliveryWorker.Settings(retry: RetryPolicy(initial: 0.01, multiplier: 2, maximum: 0.05), deadLetterAfter: 86_400, idlePoll: 0.05)
        let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: settings)
        let running = Task { await hub.run() }
        defer { running.cancel() }
        let generator = AlertIDGenerator()
        let alerts = (0..<3).map { TestAlerts.alert($0, ids: generator) }
        for alert in alerts { try await hub.commit(alert) }
        try await waitUntil(timeout: .seconds(20)) { try await outbox.sinkSummaries().first?.dead == 3 }
        #expect(receiver.received.count == 3, "one try each, no retries of a refusal")
        for alert in alerts {
            let record = try #require(try await outbox.deliveries(of: alert.id).first)
            #expect(record.state == .dead && record.attempts == 1)
            #expect(record.lastError?.contains("HTTP 400") == true, "\(record.lastError ?? "")")
        }

        broken.store(false, ordering: .relaxed)
        #expect(try await hub.replay(sink: "hook", from: alerts[1].id) == 2)
        let later = await receiver.waitFor(count: 5, timeout: .seconds(20))
        #expect(Self.ids(in: Array(later.dropFirst(3))) == alerts[1...].map(\.id.rawValue))
        #expect(try await hub.replay(sink: "hook") == 1)
        let all = await receiver.waitFor(count: 6, timeout: .seconds(20))
        #expect(Self.ids(in: Array(all.dropFirst(5))) == [alerts[0].id.rawValue])
        try await waitUntil(timeout: .seconds(10)) { try await outbox.sinkSummaries().first?.delivered == 3 }
        #expect(try await outbox.sinkSummaries().first?.dead == 0)
        #expect(try await hub.replay(sink: "hook") == 0)
    }
}
