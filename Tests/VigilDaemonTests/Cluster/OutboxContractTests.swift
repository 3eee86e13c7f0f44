import Foundation
import Testing
import VigilAlerts
@testable import VigilDaemon
import VigilHash
import VigilTestSupport

/// The same outbox behaviours against both implementations: a single node's SQLite outbox and
/// the fleet's PostgreSQL outbox. Then what only a fleet's outbox does: one alert per incident
/// across nodes, one deliverer per sink.
@Suite("Outbox contract: SQLite and PostgreSQL", .serialized)
struct OutboxContractTests {
    typealias Harness = FleetDatabaseHarness
    static let base = Date(timeIntervalSince1970: 1_800_000_000)
    static let hash = try! PDQHash(hex: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")

    /// Alert `number` of stream `stream`, about its own entry (so its own incident) unless `entry`.
    static func alert(_ number: Int, ids: AlertIDGenerator, stream: String = "cam", entry: String? = nil, seen: Double? = nil) -> Alert {
        let when = Timestamp.truncated(base.addingTimeInterval(seen ?? Double(number)))
        return Alert(
            id: ids.next(at: when), stream: stream, source: "rtmp://127.0.0.1/live/\(stream)", bank: "known",
            entry: Alert.Entry(id: entry ?? "entry-\(number)"), distance: 3, quality: 90,
            frame: Alert.FrameInfo(ptsSeconds: Double(number), keyframe: true, observedAt: when), hash: hash.hex,
            firstSeen: when, lastSeen: when, framesMatched: 1)
    }

    /// Every behaviour of the contract, on an empty outbox.
    static func behaviours(_ outbox: any AlertOutbox) async throws {
        let ids = AlertIDGenerator()
        let alerts = (0..<4).map { alert($0, ids: ids) }
        for alert in alerts {
            #expect(try await outbox.enqueue(alert, sinks: ["hook", "jsonl"], now: base))
        }
        // A repeat commits nothing new and says it is committed.
        #expect(try await outbox.enqueue(alerts[0], sinks: ["hook", "jsonl"], now: base))
        #expect(try await outbox.pendingCount(sink: "hook") == 4)

        // Per sink, in order; a failure keeps the head until it succeeds or dies.
        var head = try #require(try await outbox.head(sink: "hook"))
        #expect(head.record.alertID == alerts[0].id && head.record.idempotencyKey == alerts[0].id.rawValue)
        #expect(try AlertCoding.decode(head.body) == .match(alerts[0]))
        try await outbox.markFailed(head.record.sequence, error: "HTTP 503", retryAt: base.addingTimeInterval(4), at: base)
        head = try #require(try await outbox.head(sink: "hook"))
        #expect(head.record.alertID == alerts[0].id && head.record.attempts == 1 && head.record.lastError == "HTTP 503")
        #expect(head.record.nextAttemptAt == base.addingTimeInterval(4))
        try await outbox.markDelivered(head.record.sequence, at: base.addingTimeInterval(5))
        head = try #require(try await outbox.head(sink: "hook"))
        #expect(head.record.alertID == alerts[1].id)
        try await outbox.markDead(head.record.sequence, error: "gone", countAttempt: true, at: base.addingTimeInterval(6))
        #expect(try await outbox.head(sink: "hook")?.record.alertID == alerts[2].id)
        #expect(try await outbox.head(sink: "jsonl")?.record.alertID == alerts[0].id, "sinks keep their own queues")
        // A late acknowledgement of a delivery no longer pending changes nothing.
        try await outbox.markDelivered(head.record.sequence, at: base.addingTimeInterval(7))
        #expect(try await outbox.deliveries(of: alerts[1].id).first { $0.sink == "hook" }?.state == .dead)

        // Updates change the stored incident, not the body sinks deliver.
        var later = alerts[3]
        later.framesMatched = 9
        later.lastSeen = later.lastSeen.addingTimeInterval(30)
        try await outbox.update([later])
        #expect(try await outbox.alert(later.id)?.alert.match?.framesMatched == 9)
        let body = try #require(try await outbox.head(sink: "jsonl")).body
        #expect(try AlertCoding.decode(body).id == alerts[0].id)

        // Listing pages in id order; summaries count each state.
        let listed = try await outbox.alerts(after: nil, limit: 100)
        #expect(listed.map(\.alert.id) == alerts.map(\.id))
        #expect(listed[0].deliveries.map(\.sink) == ["hook", "jsonl"])
        #expect(try await outbox.alerts(after: alerts[1].id, limit: 1).map(\.alert.id) == [alerts[2].id])
        #expect(try await outbox.alert(AlertIDGenerator().next(at: base)) == nil)
        let summaries = try await outbox.sinkSummaries()
        let hook = try #require(summaries.first { $0.sink == "hook" })
        #expect(hook.pending == 2 && hook.delivered == 1 && hook.dead == 1)
        #expect(summaries.map(\.sink) == ["hook", "jsonl"])

        // Stream-health alerts take the same queues and listing; they are no incidents, so two
        // reports of one stream both commit.
        let health = [StreamHealthAlert.State.unwatchable, .recovered, .unwatchable].enumerated().map { number, state in
            let when = Timestamp.truncated(base.addingTimeInterval(100 + Double(number)))
            return StreamHealthAlert(
                id: ids.next(at: when), stream: "cam", source: "rtmp://127.0.0.1/live/cam", state: state,
                reason: "unsupported video codec mpeg1video", since: when, raisedAt: when)
        }
        for report in health {
            #expect(try await outbox.enqueue(.streamHealth(report), sinks: ["hook"], now: base))
        }
        let reports = try await outbox.alerts(after: alerts[3].id, limit: 100)
        #expect(reports.map(\.alert) == health.map(RaisedAlert.streamHealth))
        #expect(try await outbox.alert(health[1].id)?.alert.streamHealth?.state == .recovered)
        #expect(try await outbox.pendingCount(sink: "hook") == 5)

        // Replay: a dead letter goes back in the queue, due now, ahead of what came after it;
        // a range that does not hold it requeues nothing.
        #expect(try await outbox.requeueDead(sink: "hook", from: alerts[2].id, through: nil, at: base.addingTimeInterval(200)) == 0)
        #expect(try await outbox.requeueDead(sink: "jsonl", from: nil, through: nil, at: base.addingTimeInterval(200)) == 0)
        #expect(try await outbox.requeueDead(sink: "hook", from: alerts[1].id, through: alerts[1].id, at: base.addingTimeInterval(200)) == 1)
        let replayed = try #require(try await outbox.head(sink: "hook"))
        #expect(replayed.record.alertID == alerts[1].id && replayed.record.state == .pending && replayed.record.lastError == nil)
        #expect(replayed.record.nextAttemptAt == base.addingTimeInterval(200))
        #expect(try await outbox.requeueDead(sink: "hook", from: nil, through: nil, at: base.addingTimeInterval(201)) == 0)

        // Retention: nothing is pruned while a delivery of it is pending. A removed sink's rows
        // are dropped (its undelivered ones counted); then the alert delivered everywhere else
        // goes once it was committed before the cutoff.
        #expect(try await outbox.prune(committedBefore: base.addingTimeInterval(1000)) == 0)
        #expect(try await outbox.dropSink("jsonl") == 4)
        #expect(try await outbox.pendingCount(sink: "jsonl") == 0)
        #expect(try await outbox.sinkSummaries().map(\.sink) == ["hook"])
        #expect(try await outbox.prune(committedBefore: base) == 0)
        #expect(try await outbox.prune(committedBefore: base.addingTimeInterval(1)) == 1)
        #expect(try await outbox.alert(alerts[0].id) == nil)
        #expect(try await outbox.deliveries(of: alerts[0].id).isEmpty)
        #expect(try await outbox.alerts(after: nil, limit: 100).map(\.alert.id) == Array(alerts[1...].map(\.id)) + health.map(\.id))
        #expect(try await outbox.dropSink("jsonl") == 0)

        // A scan job read again (its node crashed mid-read) raises its alerts afresh under new
        // ids, hours later: one alert per entry and job over all its attempts, matches and file
        // matches alike. Another entry, or another job, still alerts.
        let job = ScanReference.streamName(job: "job-1")
        let first = alert(10, ids: ids, stream: job, entry: "clip")
        #expect(try await outbox.enqueue(first, sinks: ["hook"], now: base))
        let pending = try await outbox.pendingCount(sink: "hook")
        #expect(try await outbox.enqueue(alert(11, ids: ids, stream: job, entry: "clip", seen: 4 * 3600), sinks: ["hook"], now: base) == false)
        #expect(try await outbox.enqueue(first, sinks: ["hook"], now: base), "a repeat of the first attempt's alert is committed")
        #expect(try await outbox.pendingCount(sink: "hook") == pending)
        #expect(try await outbox.enqueue(alert(12, ids: ids, stream: job, entry: "still", seen: 4 * 3600), sinks: ["hook"], now: base))
        #expect(try await outbox.enqueue(alert(13, ids: ids, stream: ScanReference.streamName(job: "job-2"), entry: "clip"), sinks: ["hook"], now: base))
        let copies = (0..<2).map { number in
            FileMatchAlert(
                id: ids.next(at: base.addingTimeInterval(Double(number) * 3600)), stream: job, source: "/uploads/a.mp4", bank: "known",
                entry: Alert.Entry(id: "md5-entry"), md5: String(repeating: "0", count: 32), raisedAt: base)
        }
        #expect(try await outbox.enqueue(.fileMatch(copies[0]), sinks: ["hook"], now: base))
        #expect(try await outbox.enqueue(.fileMatch(copies[1]), sinks: ["hook"], now: base) == false)
        #expect(try await outbox.enqueue(.fileMatch(copies[0]), sinks: ["hook"], now: base))
        let scanAlerts = try await outbox.alerts(after: nil, limit: 100).filter { ScanReference.isScanStream($0.alert.stream) }.map(\.alert.id)
        #expect(Set(scanAlerts).count == 4 && scanAlerts.contains(first.id) && scanAlerts.contains(copies[0].id))
        #expect(try await outbox.pendingCount(sink: "hook") == pending + 3)
        // A file stream started again (a restart) finds its file's match again: kept once too.
        let restarted = copies.map { copy in
            var found = copy
            (found.id, found.stream, found.scan) = (ids.next(at: copy.raisedAt.addingTimeInterval(7200)), "file-cam", nil)
            return found
        }
        #expect(try await outbox.enqueue(.fileMatch(restarted[0]), sinks: ["hook"], now: base))
        #expect(try await outbox.enqueue(.fileMatch(restarted[1]), sinks: ["hook"], now: base) == false)
        #expect(try await outbox.pendingCount(sink: "hook") == pending + 4)
    }

    @Test("SQLite: every behaviour of the contract")
    func sqlite() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.behaviours(try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path))
    }

    @Test("PostgreSQL: every behaviour of the contract")
    func postgres() async throws {
        try await Harness.withServer { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            try await Self.behaviours(FleetOutbox(database: databases[0], node: "node-a", window: 60, sinkLeaseTTL: 10))
        }
    }

    @Test("fleet: one alert per incident across nodes, however many readers raise it, and a new one after a quiet window")
    func incidents() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            let a = FleetOutbox(database: databases[0], node: "node-a", window: 60, sinkLeaseTTL: 10)
            let b = FleetOutbox(database: databases[1], node: "node-b", window: 60, sinkLeaseTTL: 10)
            let ids = AlertIDGenerator()
            // Two nodes reading one stream raise the same incident at the same moment.
            let first = Self.alert(0, ids: ids, entry: "clip", seen: 0)
            let second = Self.alert(1, ids: ids, entry: "clip", seen: 1)
            async let raisedA = a.enqueue(first, sinks: ["hook"], now: Self.base)
            async let raisedB = b.enqueue(second, sinks: ["hook"], now: Self.base)
            let raised = try await [raisedA, raisedB]
            #expect(raised.filter { $0 }.count == 1, "exactly one of two simultaneous commits raises: \(raised)")
            // The incident goes on (either node's updates count); 50 s after its last match a
            // taken-over stream is still the same incident...
            // Updates come about once a second while matches continue; two are enough here.
            var continuing = raised[0] ? first : second
            continuing.lastSeen = Self.base.addingTimeInterval(50)
            try await a.update([continuing])
            continuing.lastSeen = Self.base.addingTimeInterval(100)
            try await b.update([continuing])
            #expect(try await b.enqueue(Self.alert(2, ids: ids, entry: "clip", seen: 150), sinks: ["hook"], now: Self.base) == false)
            // ...a quiet window later it is a new one; another entry or stream is another incident.
            #expect(try await a.enqueue(Self.alert(3, ids: ids, entry: "clip", seen: 161), sinks: ["hook"], now: Self.base))
            #expect(try await a.enqueue(Self.alert(4, ids: ids, entry: "other", seen: 150), sinks: ["hook"], now: Self.base))
            #expect(try await a.enqueue(Self.alert(5, ids: ids, stream: "cam-2", entry: "clip", seen: 150), sinks: ["hook"], now: Self.base))
            #expect(try await a.alerts(after: nil, limit: 100).count == 4)
            #expect(try await b.alerts(after: nil, limit: 100).count == 4, "one alert log for every node")
        }
    }

    @Test("fleet: one node at a time delivers for a sink; when its lease lapses another takes the queue where it stood")
    func sinkLeases() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            let a = FleetOutbox(database: databases[0], node: "node-a", window: 60, sinkLeaseTTL: 1)
            let b = FleetOutbox(database: databases[1], node: "node-b", window: 60, sinkLeaseTTL: 1)
            let ids = AlertIDGenerator()
            for number in 0..<3 { try await a.enqueue(Self.alert(number, ids: ids), sinks: ["hook"], now: Self.base) }
            let head = try #require(try await a.head(sink: "hook"))
            #expect(try await b.head(sink: "hook") == nil, "node-a holds the sink")
            try await a.markDelivered(head.record.sequence, at: Self.base)
            try await Task.sleep(for: .milliseconds(1500))  // node-a stops asking: its lease lapses
            let taken = try #require(try await b.head(sink: "hook"))
            #expect(taken.record.sequence > head.record.sequence)
            #expect(try await a.head(sink: "hook") == nil, "now node-b holds it")
        }
    }
}
