import Foundation
import Synchronization
import Testing
import VigilTestSupport
import VigilAlerts

@Suite("Webhook delivery to a real receiver on 127.0.0.1")
struct WebhookDeliveryTests {
    static let secret = "s3cret-for-tests"

    @Test("a delivered alert carries a valid signature, an idempotency key and the alert as body",
          .timeLimit(.minutes(3)))
    func signedDelivery() async throws {
        let receiver = WebhookReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let client = WebhookSink.makeHTTPClient()
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: receiver.url, secret: Self.secret), client: client)
        let alert = TestAlerts.alert(4)
        let body = try AlertCoding.encode(alert)
        try await sink.deliver(OutgoingAlert(alertID: alert.id, body: body, attempt: 1, idempotencyKey: alert.id.rawValue))
        let request = try #require(receiver.received.first)
        #expect(request.body == body)
        #expect(request.header("Idempotency-Key") == alert.id.rawValue)
        #expect(request.header("Content-Type") == "application/json")
        let timestamp = try #require(request.header("X-Vigil-Timestamp").flatMap(Int.init))
        #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 30)
        let signature = try #require(request.header("X-Vigil-Signature"))
        #expect(WebhookSignature.verify(body: request.body, timestamp: timestamp, secret: Self.secret, signature: signature))
    }

    @Test("a non-2xx answer or a refused connection is a failed try naming the cause", .timeLimit(.minutes(3)))
    func failures() async throws {
        let receiver = WebhookReceiver { _ in .serviceUnavailable }
        try await receiver.start()
        let client = WebhookSink.makeHTTPClient()
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: receiver.url, secret: Self.secret, timeout: .seconds(2)), client: client)
        let alert = TestAlerts.alert(1)
        let outgoing = OutgoingAlert(alertID: alert.id, body: try AlertCoding.encode(alert), attempt: 1, idempotencyKey: alert.id.rawValue)
        await #expect(throws: WebhookError.self) { try await sink.deliver(outgoing) }
        await receiver.stop()
        do {
            try await sink.deliver(outgoing)
            Issue.record("delivery to a closed port succeeded")
        } catch let error as WebhookError {
            guard case .transport = error else { Issue.record("expected a transport error, got \(error)"); return }
        }
    }

    /// The must-show scenario: the receiver is down for a while (3 s here; set
    /// VIGIL_OUTAGE_SECONDS=60 for the full minute), then up. Every alert arrives, in order, and
    /// repeats are recognisable by their idempotency key.
    @Test("receiver down then up: no alert lost, order kept, duplicates identifiable", .timeLimit(.minutes(3)))
    func outage() async throws {
        let outage = Double(ProcessInfo.processInfo.environment["VIGIL_OUTAGE_SECONDS"] ?? "") ?? 3
        let directory = try TestAlerts.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)

        // Find a free port, then take the receiver down.
        let duplicateOnce = DuplicateTrigger()
        let receiver = WebhookReceiver { request in
            // The receiver "crashes" after storing the 5th alert: it answers 500, so Vigil sends
            // it again — a duplicate that the idempotency key identifies.
            duplicateOnce.shouldFail(key: request.header("Idempotency-Key") ?? "") ? .internalServerError : .ok
        }
        try await receiver.start()
        let port = receiver.port
        await receiver.stop()

        let client = WebhookSink.makeHTTPClient(connectTimeout: .seconds(1))
        defer { Task { try? await client.shutdown() } }
        let sink = WebhookSink(name: "hook", settings: .init(url: "http://127.0.0.1:\(port)/hook", secret: Self.secret, timeout: .seconds(2)), client: client)
        let hub = DeliveryHub(
            outbox: outbox, sinks: [sink],
            settings: .init(retry: RetryPolicy(initial: 0.05, multiplier: 2, maximum: min(5, outage / 4)), idlePoll: 0.2))
        let running = Task { await hub.run() }
        defer { running.cancel() }

        let ids = AlertIDGenerator()
        let alerts = (0..<20).map { TestAlerts.alert($0, ids: ids) }
        duplicateOnce.arm(key: alerts[4].id.rawValue)
        for alert in alerts { try await hub.commit(alert) }
        try await Task.sleep(for: .seconds(outage))
        #expect(receiver.received.isEmpty)
        let stats = try #require(try await outbox.sinkSummaries().first)
        #expect(stats.pending == 20)
        #expect(stats.lastError != nil)

        try await receiver.start(port: port)
        let requests = await receiver.waitFor(count: 21, timeout: .seconds(30))
        try await waitUntil { try await outbox.pendingCount(sink: "hook") == 0 }

        let keys = requests.map { $0.header("Idempotency-Key") ?? "" }
        #expect(Set(keys) == Set(alerts.map(\.id.rawValue)), "every alert delivered")
        var firstSeen: [String] = []
        for key in keys where !firstSeen.contains(key) { firstSeen.append(key) }
        #expect(firstSeen == alerts.map(\.id.rawValue), "per-sink order kept")
        #expect(keys.count == 21, "exactly one duplicate, of the alert the receiver failed")
        #expect(keys.filter { $0 == alerts[4].id.rawValue }.count == 2)
        for request in requests {
            let body = try AlertCoding.decode(request.body)
            #expect(body.id.rawValue == request.header("Idempotency-Key"))
            let timestamp = try #require(request.header("X-Vigil-Timestamp").flatMap(Int.init))
            #expect(WebhookSignature.verify(
                body: request.body, timestamp: timestamp, secret: Self.secret,
                signature: request.header("X-Vigil-Signature") ?? ""))
        }
        await receiver.stop()
    }
}

/// Fails the first request carrying one key, once.
final class DuplicateTrigger: Sendable {
    private let state = Mutex<(key: String?, fired: Bool)>((nil, false))
    func arm(key: String) { state.withLock { $0.key = key } }
    func shouldFail(key: String) -> Bool {
        state.withLock { state in
            guard !state.fired, state.key == key else { return false }
            state.fired = true
            return true
        }
    }
}
