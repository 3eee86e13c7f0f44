import Foundation
import Synchronization
import Testing
import VigilTestSupport
import VigilAlerts

/// Alerts per second through the outbox: committed (durably), then delivered by a sink.
///
/// Runs a small batch as a regression test; VIGIL_BENCH=1 runs the benchmark size and prints the
/// numbers recorded in BENCHMARKS.md.
@Suite("Outbox throughput", .serialized)
struct OutboxThroughputTests {
    static let benchmark = ProcessInfo.processInfo.environment["VIGIL_BENCH"] == "1"
    static let count = benchmark ? 2000 : 200

    final class CountingSink: AlertSink {
        let name: String
        let delivered = Mutex(0)
        init(name: String) { self.name = name }
        func deliver(_ delivery: OutgoingAlert) async throws { delivered.withLock { $0 += 1 } }
    }

    @Test("alerts committed then delivered: no-op, JSONL (fsync) and local webhook sinks", .timeLimit(.minutes(3)))
    func throughput() async throws {
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = WebhookReceiver()
        try await receiver.start()
        let client = WebhookSink.makeHTTPClient()
        let sinks: [any AlertSink] = [
            CountingSink(name: "noop"),
            JSONLSink(path: directory.appendingPathComponent("alerts.jsonl").path),
            WebhookSink(name: "webhook", settings: .init(url: receiver.url, secret: "bench"), client: client),
        ]
        let ids = AlertIDGenerator()
        let alerts = (0..<Self.count).map { TestAlerts.alert($0, ids: ids, at: Date()) }
        for sink in sinks {
            let outbox = try Outbox(path: directory.appendingPathComponent("\(sink.name).sqlite").path)
            let hub = DeliveryHub(outbox: outbox, sinks: [sink], settings: .init(idlePoll: 0.05))
            let running = Task { await hub.run() }
            let started = ContinuousClock.now
            for alert in alerts { try await hub.commit(alert) }
            let committed = ContinuousClock.now
            try await waitUntil(timeout: .seconds(120)) { try await outbox.pendingCount(sink: sink.name) == 0 }
            let finished = ContinuousClock.now
            running.cancel()
            await running.value
            let commitRate = Double(Self.count) / ((committed - started) / .seconds(1))
            let endToEnd = Double(Self.count) / ((finished - started) / .seconds(1))
            print("outbox throughput [\(sink.name)]: \(Self.count) alerts, commit \(Int(commitRate))/s, committed+delivered \(Int(endToEnd))/s")
            let summary = try #require(try await outbox.sinkSummaries().first)
            #expect(summary.delivered == Self.count)
        }
        #expect(Set(receiver.received.compactMap { $0.header("Idempotency-Key") }).count == Self.count)
        try await client.shutdown()
        await receiver.stop()
    }
}
