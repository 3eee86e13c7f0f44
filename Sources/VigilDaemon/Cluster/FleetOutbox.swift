import Foundation
import Logging
import PostgresNIO
import VigilAlerts

/// The fleet's outbox in PostgreSQL: one alert log for every node, and the fleet's record of
/// incidents.
///
/// Committing an alert claims its incident in the same transaction: an incident is (stream, bank,
/// subject), and an alert meets an earlier one when that incident's last match is within
/// `window` seconds of the alert's first. So two nodes reading one stream (a handover, a
/// partition), a node taking over a dead node's stream, and a spooled alert merged after an
/// outage all meet the incident the fleet raised already, and raise no second alert
/// (``enqueue(_:sinks:now:)`` returns false). Every node that sees an incident continue keeps its
/// last match current through ``update(_:)``, whichever node raised it.
///
/// Delivery: for each sink one node at a time delivers, under a lease of `sinkLeaseTTL` seconds
/// renewed at every ``head(sink:)``; when that node dies, the next node to ask takes the lease
/// and the sink's queue where it stood, with the same idempotency keys.
public final class FleetOutbox: AlertOutbox {
    let database: ClusterDatabase
    /// This node.
    public let node: String
    /// The incident window in seconds (`alerts.window`).
    public let window: Double
    /// How long a sink's delivery lease lasts unrenewed.
    public let sinkLeaseTTL: Double

    /// The outbox in `database`, for `node`.
    public init(database: ClusterDatabase, node: String, window: Double, sinkLeaseTTL: Double) {
        self.database = database
        self.node = node
        self.window = window
        self.sinkLeaseTTL = sinkLeaseTTL
    }

    private var logger: Logger { database.logger }

    // MARK: Writing

    @discardableResult
    public func enqueue(_ alert: RaisedAlert, sinks: [String], now: Date = Date()) async throws(OutboxError) -> Bool {
        switch alert {
        case .match(let match): try await enqueue(match: match, sinks: sinks, now: now)
        case .streamHealth, .fileMatch: try await enqueue(report: alert, sinks: sinks, now: now)
        }
    }

    /// Commits a match unless the fleet raised its incident already.
    private func enqueue(match alert: Alert, sinks: [String], now: Date) async throws(OutboxError) -> Bool {
        let body = try Self.encode(.match(alert))
        let window = window
        let subject = alert.subject
        let key = [alert.stream, alert.bank, subject].joined(separator: "\n")
        let id = alert.id.rawValue
        let windowStart = Int64(alert.firstSeen.timeIntervalSince1970.rounded(.down))
        // A scan job's incident spans all its attempts, however long apart.
        let wholeJob = RaisedAlert.match(alert).isOncePerEntry
        let row = AlertRow(id: id, stream: alert.stream, bank: alert.bank, entryID: alert.entry.id, node: node, body: body, enqueuedAt: now)
        return try await run("committing alert \(alert.id)") { database in
            try await database.transaction("alert commit") { connection in
                let logger = connection.logger
                try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
                var earlier: String?
                for try await raised in try await connection.query("""
                    SELECT alert_id FROM vigil_incidents
                    WHERE stream = \(alert.stream) AND bank = \(alert.bank) AND subject = \(subject)
                      AND (alert_id = \(id) OR \(wholeJob) OR last_seen >= \(alert.firstSeen) - make_interval(secs => \(window)))
                    ORDER BY (alert_id = \(id)) DESC, last_seen DESC LIMIT 1
                    """, logger: logger).decode(String.self) {
                    earlier = raised
                }
                // The same alert again (a retried commit): committed already.
                if let earlier { return earlier == id }
                try await connection.query("""
                    INSERT INTO vigil_incidents (stream, bank, subject, window_start, alert_id, node, last_seen)
                    VALUES (\(alert.stream), \(alert.bank), \(subject), \(windowStart), \(id), \(row.node), \(alert.lastSeen))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                try await row.insert(on: connection, sinks: sinks)
                return true
            }
        }
    }

    /// Commits a stream-health or file-match alert. Neither is an incident: the node that reads
    /// the stream reports what it sees, so nothing is claimed across nodes — except that a file
    /// match, or a scan job read again, commits no second alert for an entry
    /// (``RaisedAlert/isOncePerEntry``).
    private func enqueue(report: RaisedAlert, sinks: [String], now: Date) async throws(OutboxError) -> Bool {
        let row = AlertRow(
            id: report.id.rawValue, stream: report.stream, bank: report.bank ?? "", entryID: report.entryID ?? "", node: node,
            body: try Self.encode(report), enqueuedAt: now)
        let oncePerEntry = report.isOncePerEntry
        return try await run("committing alert \(report.id)") { database in
            try await database.transaction("alert commit") { connection in
                if oncePerEntry {
                    let rows = try await connection.query("""
                        SELECT 1 FROM vigil_alerts
                        WHERE stream = \(row.stream) AND bank = \(row.bank) AND entry_id = \(row.entryID) AND id <> \(row.id) LIMIT 1
                        """, logger: connection.logger)
                    for try await _ in rows { return false }
                }
                try await row.insert(on: connection, sinks: sinks)
                return true
            }
        }
    }

    /// An alert's row and its pending deliveries, as one commit writes them.
    private struct AlertRow: Sendable {
        var id: String
        var stream: String
        var bank: String
        var entryID: String
        var node: String
        var body: Data
        var enqueuedAt: Date

        func insert(on connection: PostgresConnection, sinks: [String]) async throws {
            let logger = connection.logger
            let enqueuedAt = enqueuedAt.timeIntervalSince1970
            try await connection.query("""
                INSERT INTO vigil_alerts (id, stream, bank, entry_id, node, created_at, payload, current)
                VALUES (\(id), \(stream), \(bank), \(entryID), \(node), \(enqueuedAt), \(body), \(body))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query("""
                INSERT INTO vigil_deliveries (alert_id, sink, state, enqueued_at, next_attempt_at)
                SELECT \(id), sink, 'pending', \(enqueuedAt), \(enqueuedAt) FROM unnest(\(sinks)::text[]) AS s(sink)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    public func update(_ alerts: [Alert]) async throws(OutboxError) {
        guard !alerts.isEmpty else { return }
        var updates: [(id: String, current: Data)] = []
        for alert in alerts { updates.append((alert.id.rawValue, try Self.encode(.match(alert)))) }
        let (changes, window) = (updates, window)
        let streams = alerts.map(\.stream)
        let banks = alerts.map(\.bank)
        let subjects = alerts.map(\.subject)
        let seen = alerts.map { $0.lastSeen.timeIntervalSince1970 }
        try await run("updating \(alerts.count) alert(s)") { database in
            try await database.transaction("incident update") { connection in
                let logger = connection.logger
                for change in changes {
                    try await connection.query("UPDATE vigil_alerts SET current = \(change.current) WHERE id = \(change.id)", logger: logger)
                }
                // Incidents raised here or elsewhere: their last match moves on.
                try await connection.query("""
                    UPDATE vigil_incidents i SET last_seen = greatest(i.last_seen, to_timestamp(u.seen))
                    FROM unnest(\(streams)::text[], \(banks)::text[], \(subjects)::text[], \(seen)::float8[]) AS u(stream, bank, subject, seen)
                    WHERE i.stream = u.stream AND i.bank = u.bank AND i.subject = u.subject
                      AND i.last_seen >= to_timestamp(u.seen) - make_interval(secs => \(window))
                    """, logger: logger)
            }
        }
    }

    public func markDelivered(_ sequence: Int64, at now: Date = Date()) async throws(OutboxError) {
        let time = now.timeIntervalSince1970
        try await execute("marking delivery \(sequence) delivered", """
            UPDATE vigil_deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = \(time),
                delivered_at = \(time), last_error = NULL
            WHERE seq = \(sequence) AND state = 'pending'
            """)
    }

    public func markFailed(_ sequence: Int64, error: String, retryAt: Date, at now: Date = Date()) async throws(OutboxError) {
        let (time, retry, message) = (now.timeIntervalSince1970, retryAt.timeIntervalSince1970, DeliveryRecord.storedError(error))
        try await execute("recording a failed delivery \(sequence)", """
            UPDATE vigil_deliveries SET attempts = attempts + 1, last_attempt_at = \(time), next_attempt_at = \(retry),
                last_error = \(message)
            WHERE seq = \(sequence) AND state = 'pending'
            """)
    }

    public func markDead(_ sequence: Int64, error: String, countAttempt: Bool, at now: Date = Date()) async throws(OutboxError) {
        let (time, message, added) = (now.timeIntervalSince1970, DeliveryRecord.storedError(error), countAttempt ? 1 : 0)
        try await execute("dead-lettering delivery \(sequence)", """
            UPDATE vigil_deliveries SET state = 'dead', attempts = attempts + \(added), last_attempt_at = \(time),
                last_error = \(message)
            WHERE seq = \(sequence) AND state = 'pending'
            """)
    }

    public func requeueDead(sink: String, from: AlertID?, through: AlertID?, at now: Date = Date()) async throws(OutboxError) -> Int {
        let (time, first, last) = (now.timeIntervalSince1970, from?.rawValue, through?.rawValue)
        return try await run("requeueing the dead letters of sink \(sink)") { database in
            try await database.perform("requeue dead letters") { client in
                var count = 0
                for try await _ in try await client.query(
                    """
                    UPDATE vigil_deliveries SET state = 'pending', next_attempt_at = \(time), last_error = NULL
                    WHERE sink = \(sink) AND state = 'dead'
                        AND (\(first)::text IS NULL OR alert_id >= \(first)) AND (\(last)::text IS NULL OR alert_id <= \(last))
                    RETURNING seq
                    """, logger: database.logger
                ).decode(Int64.self) {
                    count += 1
                }
                return count
            }
        }
    }

    public func dropSink(_ sink: String) async throws(OutboxError) -> Int {
        try await run("dropping the deliveries of sink \(sink)") { database in
            try await database.perform("drop sink") { client in
                var undelivered = 0
                for try await state in try await client.query(
                    "DELETE FROM vigil_deliveries WHERE sink = \(sink) RETURNING state", logger: database.logger
                ).decode(String.self) where state != "delivered" {
                    undelivered += 1
                }
                return undelivered
            }
        }
    }

    public func prune(committedBefore cutoff: Date) async throws(OutboxError) -> Int {
        let time = cutoff.timeIntervalSince1970
        return try await run("pruning alerts committed before \(Timestamp.format(cutoff))") { database in
            try await database.transaction("prune") { connection in
                let logger = connection.logger
                try await connection.query("""
                    CREATE TEMPORARY TABLE vigil_pruned ON COMMIT DROP AS
                    SELECT id FROM vigil_alerts a WHERE a.created_at < \(time) AND NOT EXISTS (
                        SELECT 1 FROM vigil_deliveries d WHERE d.alert_id = a.id AND d.state <> 'delivered')
                    """, logger: logger)
                try await connection.query("DELETE FROM vigil_deliveries WHERE alert_id IN (SELECT id FROM vigil_pruned)", logger: logger)
                // Incidents that ended before the cutoff key nothing any more.
                try await connection.query("DELETE FROM vigil_incidents WHERE last_seen < to_timestamp(\(time))", logger: logger)
                var pruned = 0
                for try await _ in try await connection.query(
                    "DELETE FROM vigil_alerts WHERE id IN (SELECT id FROM vigil_pruned) RETURNING id", logger: logger
                ).decode(String.self) {
                    pruned += 1
                }
                return pruned
            }
        }
    }

    // MARK: Reading

    public func head(sink: String) async throws(OutboxError) -> PendingDelivery? {
        let (node, ttl) = (node, sinkLeaseTTL)
        return try await run("reading the queue of sink \(sink)") { database in
            try await database.perform("sink queue") { client -> PendingDelivery? in
                let logger = database.logger
                var held = false
                for try await _ in try await client.query("""
                    INSERT INTO vigil_sink_leases (sink, node, lease_until) VALUES (\(sink), \(node), now() + make_interval(secs => \(ttl)))
                    ON CONFLICT (sink) DO UPDATE SET node = EXCLUDED.node, lease_until = EXCLUDED.lease_until
                    WHERE vigil_sink_leases.node = EXCLUDED.node OR vigil_sink_leases.lease_until < now()
                    RETURNING node
                    """, logger: logger).decode(String.self) {
                    held = true
                }
                // Another node delivers for this sink; its queue is not ours to touch now.
                guard held else { return nil }
                var found: PendingDelivery?
                for try await row in try await client.query("""
                    SELECT \(unescaped: Self.recordColumns), a.payload FROM vigil_deliveries d JOIN vigil_alerts a ON a.id = d.alert_id
                    WHERE d.sink = \(sink) AND d.state = 'pending' ORDER BY d.seq LIMIT 1
                    """, logger: logger).decode((Int64, String, String, String, Int, Double, Double, Double?, Double?, String?, Data).self) {
                    let record = try Self.record((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
                    found = PendingDelivery(record: record, body: row.10)
                }
                return found
            }
        }
    }

    public func alerts(after: AlertID? = nil, limit: Int = 100) async throws(OutboxError) -> [StoredAlert] {
        let (after, limit) = (after?.rawValue ?? "", max(0, limit))
        return try await run("listing alerts") { database in
            try await database.perform("alert list") { client in
                var rows: [(String, Data)] = []
                for try await row in try await client.query(
                    "SELECT id, current FROM vigil_alerts WHERE id > \(after) ORDER BY id LIMIT \(limit)", logger: database.logger
                ).decode((String, Data).self) {
                    rows.append(row)
                }
                let deliveries = try await Self.deliveries(client, ids: rows.map(\.0), logger: database.logger)
                return try rows.map { row in
                    StoredAlert(alert: try AlertCoding.decode(row.1), deliveries: deliveries[row.0] ?? [])
                }
            }
        }
    }

    public func alert(_ id: AlertID) async throws(OutboxError) -> StoredAlert? {
        let key = id.rawValue
        return try await run("reading alert \(id)") { database in
            try await database.perform("alert") { client -> StoredAlert? in
                var current: Data?
                for try await body in try await client.query("SELECT current FROM vigil_alerts WHERE id = \(key)", logger: database.logger)
                    .decode(Data.self) {
                    current = body
                }
                guard let current else { return nil }
                let deliveries = try await Self.deliveries(client, ids: [key], logger: database.logger)
                return StoredAlert(alert: try AlertCoding.decode(current), deliveries: deliveries[key] ?? [])
            }
        }
    }

    public func sinkSummaries() async throws(OutboxError) -> [SinkSummary] {
        try await run("summarising sinks") { database in
            try await database.perform("sink summaries") { client in
                var summaries: [SinkSummary] = []
                for try await row in try await client.query("""
                    SELECT d.sink,
                        count(*) FILTER (WHERE d.state = 'pending')::int8, count(*) FILTER (WHERE d.state = 'delivered')::int8,
                        count(*) FILTER (WHERE d.state = 'dead')::int8,
                        min(d.enqueued_at) FILTER (WHERE d.state = 'pending'),
                        (SELECT e.last_error FROM vigil_deliveries e WHERE e.sink = d.sink AND e.state = 'pending' ORDER BY e.seq LIMIT 1)
                    FROM vigil_deliveries d GROUP BY d.sink ORDER BY d.sink
                    """, logger: database.logger).decode((String, Int, Int, Int, Double?, String?).self) {
                    summaries.append(SinkSummary(
                        sink: row.0, pending: row.1, delivered: row.2, dead: row.3,
                        oldestPendingSince: row.4.map { Date(timeIntervalSince1970: $0) }, lastError: row.5))
                }
                return summaries
            }
        }
    }

    public func pendingCount(sink: String) async throws(OutboxError) -> Int {
        try await run("counting the queue of sink \(sink)") { database in
            try await database.perform("sink queue count") { client in
                var count = 0
                for try await value in try await client.query(
                    "SELECT count(*)::int8 FROM vigil_deliveries WHERE sink = \(sink) AND state = 'pending'", logger: database.logger
                ).decode(Int.self) {
                    count = value
                }
                return count
            }
        }
    }

    public func deliveries(of id: AlertID) async throws(OutboxError) -> [DeliveryRecord] {
        let key = id.rawValue
        return try await run("reading deliveries of \(id)") { database in
            try await database.perform("deliveries") { client in
                try await Self.deliveries(client, ids: [key], logger: database.logger)[key] ?? []
            }
        }
    }

    // MARK: Helpers

    /// A delivery row's columns, in ``recordColumns`` order.
    typealias RecordRow = (Int64, String, String, String, Int, Double, Double, Double?, Double?, String?)
    static let recordColumns =
        "d.seq, d.alert_id, d.sink, d.state, d.attempts, d.enqueued_at, d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.last_error"

    private static func deliveries(_ client: PostgresClient, ids: [String], logger: Logger) async throws -> [String: [DeliveryRecord]] {
        guard !ids.isEmpty else { return [:] }
        var records: [String: [DeliveryRecord]] = [:]
        for try await row in try await client.query("""
            SELECT \(unescaped: recordColumns) FROM vigil_deliveries d WHERE d.alert_id = ANY(\(ids)::text[]) ORDER BY d.alert_id, d.sink
            """, logger: logger).decode(RecordRow.self) {
            let record = try record(row)
            records[record.alertID.rawValue, default: []].append(record)
        }
        return records
    }

    private static func record(_ row: RecordRow) throws -> DeliveryRecord {
        guard let id = AlertID(row.1) else {
            throw OutboxError(operation: "reading a delivery", reason: "stored alert id \(row.1.debugDescription) is not a ULID")
        }
        guard let state = DeliveryState(rawValue: row.3) else {
            throw OutboxError(operation: "reading a delivery", reason: "unknown state \(row.3.debugDescription)")
        }
        return DeliveryRecord(
            sequence: row.0, alertID: id, sink: row.2, state: state, attempts: row.4,
            enqueuedAt: Date(timeIntervalSince1970: row.5), nextAttemptAt: Date(timeIntervalSince1970: row.6),
            lastAttemptAt: row.7.map { Date(timeIntervalSince1970: $0) }, deliveredAt: row.8.map { Date(timeIntervalSince1970: $0) },
            lastError: row.9)
    }

    private func execute(_ operation: String, _ query: PostgresQuery) async throws(OutboxError) {
        try await run(operation) { database in
            try await database.perform(operation) { client in try await client.query(query, logger: database.logger) }
        }
    }

    /// Runs `body`, reporting a database failure as the outbox's error for `operation`.
    @discardableResult
    private func run<T: Sendable>(_ operation: String, _ body: (ClusterDatabase) async throws -> T) async throws(OutboxError) -> T {
        do {
            return try await body(database)
        } catch let error as OutboxError {
            throw error
        } catch {
            throw OutboxError(operation: operation, reason: "\(error)")
        }
    }

    private static func encode(_ alert: RaisedAlert) throws(OutboxError) -> Data {
        do {
            return try AlertCoding.encode(alert)
        } catch {
            throw OutboxError(operation: "encoding alert \(alert.id)", reason: "\(error)")
        }
    }
}
