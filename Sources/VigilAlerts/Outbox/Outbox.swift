import Foundation
import GRDB

/// The durable queue between alert policy and sinks: nothing it accepted is ever lost.
///
/// ``enqueue(_:sinks:now:)`` commits the alert together with one pending delivery per sink in one
/// transaction, and returns only once that transaction is on disk; sinks are tried afterwards, from
/// the database. A delivery leaves `pending` only when its sink acknowledged it (`delivered`) or its
/// maximum age passed (`dead`), so a crash at any point leaves it pending, to be delivered again on
/// the next start: at least once, with the alert id as idempotency key.
///
/// All methods may be called from any task; SQLite (WAL mode) serialises the writes.
public final class Outbox: AlertOutbox {
    /// The database the outbox lives in; the daemon keeps its other tables there too.
    public let database: DatabasePool

    /// Uses `database`, creating the outbox tables if needed.
    public init(database: DatabasePool) throws(OutboxError) {
        self.database = database
        do {
            try OutboxSchema.migrate(database)
        } catch {
            throw OutboxError(operation: "creating tables in \(database.path)", reason: "\(error)")
        }
    }

    /// Opens or creates the outbox database at `path`.
    public convenience init(path: String) throws(OutboxError) {
        try self.init(database: OutboxDatabase.open(path: path))
    }

    // MARK: Writing

    /// Commits a new alert and a pending delivery for each of `sinks`, durably, before returning.
    /// Committing the same alert id again is a no-op, so a retried enqueue never duplicates.
    @discardableResult
    public func enqueue(_ alert: RaisedAlert, sinks: [String], now: Date = Date()) async throws(OutboxError) -> Bool {
        let body: Data
        do {
            body = try AlertCoding.encode(alert)
        } catch {
            throw OutboxError(operation: "encoding alert \(alert.id)", reason: "\(error)")
        }
        let (bank, entry) = (alert.bank ?? "", alert.entryID ?? "")
        return try await write("committing alert \(alert.id)") { db in
            if alert.isOncePerEntry, try Self.earlierAlert(db, of: alert, bank: bank, entry: entry) { return false }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO vigil_alerts (id, stream, bank, entry_id, created_at, payload, current)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [alert.id.rawValue, alert.stream, bank, entry, now.timeIntervalSince1970, body, body])
            guard db.changesCount > 0 else { return true }
            for sink in sinks {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO vigil_deliveries (alert_id, sink, state, enqueued_at, next_attempt_at)
                        VALUES (?, ?, 'pending', ?, ?)
                        """,
                    arguments: [alert.id.rawValue, sink, now.timeIntervalSince1970, now.timeIntervalSince1970])
            }
            return true
        }
    }

    /// Whether an alert of the same stream, bank and entry was committed under another id (see
    /// ``RaisedAlert/isOncePerEntry``).
    private static func earlierAlert(_ db: Database, of alert: RaisedAlert, bank: String, entry: String) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM vigil_alerts WHERE stream = ? AND bank = ? AND entry_id = ? AND id <> ?)
            """, arguments: [alert.stream, bank, entry, alert.id.rawValue]) ?? false
    }

    /// Stores an open incident's new state (frames matched, last seen, best distance). What sinks
    /// deliver stays the alert as first raised.
    public func update(_ alert: Alert) async throws(OutboxError) {
        try await update([alert])
    }

    /// Stores several incidents' new states in one transaction (one disk sync for all).
    public func update(_ alerts: [Alert]) async throws(OutboxError) {
        guard !alerts.isEmpty else { return }
        var rows: [(String, Data)] = []
        for alert in alerts {
            do {
                rows.append((alert.id.rawValue, try AlertCoding.encode(alert)))
            } catch {
                throw OutboxError(operation: "encoding alert \(alert.id)", reason: "\(error)")
            }
        }
        let updates = rows
        try await write("updating \(updates.count) alert(s)") { db in
            for (id, body) in updates {
                try db.execute(sql: "UPDATE vigil_alerts SET current = ? WHERE id = ?", arguments: [body, id])
            }
        }
    }

    /// Records that `sink` acknowledged the delivery.
    public func markDelivered(_ sequence: Int64, at now: Date = Date()) async throws(OutboxError) {
        try await write("marking delivery \(sequence) delivered") { db in
            try db.execute(
                sql: """
                    UPDATE vigil_deliveries SET state = 'delivered', attempts = attempts + 1,
                        last_attempt_at = ?, delivered_at = ?, last_error = NULL
                    WHERE seq = ? AND state = 'pending'
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, sequence])
        }
    }

    /// Records a failed try and when to try again.
    public func markFailed(_ sequence: Int64, error: String, retryAt: Date, at now: Date = Date()) async throws(OutboxError) {
        try await write("recording a failed delivery \(sequence)") { db in
            try db.execute(
                sql: """
                    UPDATE vigil_deliveries SET attempts = attempts + 1, last_attempt_at = ?,
                        next_attempt_at = ?, last_error = ?
                    WHERE seq = ? AND state = 'pending'
                    """,
                arguments: [now.timeIntervalSince1970, retryAt.timeIntervalSince1970, DeliveryRecord.storedError(error), sequence])
        }
    }

    /// Gives up on a delivery (its maximum age passed); `countAttempt` when a try just failed.
    public func markDead(_ sequence: Int64, error: String, countAttempt: Bool, at now: Date = Date()) async throws(OutboxError) {
        try await write("dead-lettering delivery \(sequence)") { db in
            try db.execute(
                sql: """
                    UPDATE vigil_deliveries SET state = 'dead', attempts = attempts + ?, last_attempt_at = ?, last_error = ?
                    WHERE seq = ? AND state = 'pending'
                    """,
                arguments: [countAttempt ? 1 : 0, now.timeIntervalSince1970, DeliveryRecord.storedError(error), sequence])
        }
    }

    /// Puts dead letters back in the queue, see ``AlertOutbox/requeueDead(sink:from:through:at:)``.
    public func requeueDead(sink: String, from: AlertID?, through: AlertID?, at now: Date = Date()) async throws(OutboxError) -> Int {
        let (first, last) = (from?.rawValue, through?.rawValue)
        do {
            return try await database.write { db -> Int in
                try db.execute(
                    sql: """
                        UPDATE vigil_deliveries SET state = 'pending', next_attempt_at = ?, last_error = NULL
                        WHERE sink = ? AND state = 'dead' AND (? IS NULL OR alert_id >= ?) AND (? IS NULL OR alert_id <= ?)
                        """,
                    arguments: [now.timeIntervalSince1970, sink, first, first, last, last])
                return db.changesCount
            }
        } catch {
            throw OutboxError(operation: "requeueing the dead letters of sink \(sink)", reason: "\(error)")
        }
    }

    public func dropSink(_ sink: String) async throws(OutboxError) -> Int {
        do {
            return try await database.write { db -> Int in
                let undelivered = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM vigil_deliveries WHERE sink = ? AND state != 'delivered'", arguments: [sink]) ?? 0
                try db.execute(sql: "DELETE FROM vigil_deliveries WHERE sink = ?", arguments: [sink])
                return undelivered
            }
        } catch {
            throw OutboxError(operation: "dropping the deliveries of sink \(sink)", reason: "\(error)")
        }
    }

    public func prune(committedBefore cutoff: Date) async throws(OutboxError) -> Int {
        do {
            return try await database.write { db -> Int in
                let done = """
                    SELECT id FROM vigil_alerts a WHERE a.created_at < ? AND NOT EXISTS (
                        SELECT 1 FROM vigil_deliveries d WHERE d.alert_id = a.id AND d.state != 'delivered')
                    """
                try db.execute(sql: "DELETE FROM vigil_deliveries WHERE alert_id IN (\(done))", arguments: [cutoff.timeIntervalSince1970])
                try db.execute(sql: "DELETE FROM vigil_alerts WHERE id IN (\(done))", arguments: [cutoff.timeIntervalSince1970])
                return db.changesCount
            }
        } catch {
            throw OutboxError(operation: "pruning alerts committed before \(Timestamp.format(cutoff))", reason: "\(error)")
        }
    }

    // MARK: Reading

    /// The oldest pending delivery of `sink`: the only one it may try, so that it keeps order.
    public func head(sink: String) async throws(OutboxError) -> PendingDelivery? {
        try await read("reading the queue of sink \(sink)") { db -> PendingDelivery? in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT d.*, a.payload FROM vigil_deliveries d JOIN vigil_alerts a ON a.id = d.alert_id
                    WHERE d.sink = ? AND d.state = 'pending' ORDER BY d.seq LIMIT 1
                    """,
                arguments: [sink])
            else { return nil }
            return PendingDelivery(record: try Self.record(row), body: row["payload"])
        }
    }

    /// Alerts with ids after `after` (all when nil), oldest first, at most `limit`, with their
    /// deliveries.
    public func alerts(after: AlertID? = nil, limit: Int = 100) async throws(OutboxError) -> [StoredAlert] {
        try await read("listing alerts") { db -> [StoredAlert] in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, current FROM vigil_alerts WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [after?.rawValue ?? "", max(0, limit)])
            return try rows.map { row in
                try StoredAlert(alert: AlertCoding.decode(row["current"]), deliveries: Self.deliveries(db, alertID: row["id"]))
            }
        }
    }

    /// One alert and its deliveries, nil when unknown.
    public func alert(_ id: AlertID) async throws(OutboxError) -> StoredAlert? {
        try await read("reading alert \(id)") { db -> StoredAlert? in
            guard let data = try Data.fetchOne(db, sql: "SELECT current FROM vigil_alerts WHERE id = ?", arguments: [id.rawValue])
            else { return nil }
            return try StoredAlert(alert: AlertCoding.decode(data), deliveries: Self.deliveries(db, alertID: id.rawValue))
        }
    }

    /// Every sink that has deliveries, with its counts.
    public func sinkSummaries() async throws(OutboxError) -> [SinkSummary] {
        try await read("summarising sinks") { db -> [SinkSummary] in
            let rows = try Row.fetchAll(db, sql: """
                SELECT sink,
                    SUM(state = 'pending') AS pending, SUM(state = 'delivered') AS delivered, SUM(state = 'dead') AS dead,
                    MIN(CASE WHEN state = 'pending' THEN enqueued_at END) AS oldest
                FROM vigil_deliveries GROUP BY sink ORDER BY sink
                """)
            return try rows.map { row in
                let sink: String = row["sink"]
                let lastError = try String.fetchOne(
                    db, sql: "SELECT last_error FROM vigil_deliveries WHERE sink = ? AND state = 'pending' ORDER BY seq LIMIT 1",
                    arguments: [sink])
                let oldest: Double? = row["oldest"]
                return SinkSummary(
                    sink: sink, pending: row["pending"] ?? 0, delivered: row["delivered"] ?? 0, dead: row["dead"] ?? 0,
                    oldestPendingSince: oldest.map { Date(timeIntervalSince1970: $0) }, lastError: lastError)
            }
        }
    }

    /// Pending deliveries of `sink`.
    public func pendingCount(sink: String) async throws(OutboxError) -> Int {
        try await read("counting the queue of sink \(sink)") { db -> Int in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vigil_deliveries WHERE sink = ? AND state = 'pending'", arguments: [sink]) ?? 0
        }
    }

    /// Every delivery record of an alert.
    public func deliveries(of id: AlertID) async throws(OutboxError) -> [DeliveryRecord] {
        try await read("reading deliveries of \(id)") { db in try Self.deliveries(db, alertID: id.rawValue) }
    }

    // MARK: Helpers

    private func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(OutboxError) -> T {
        do {
            return try await database.write(body)
        } catch {
            throw OutboxError(operation: operation, reason: "\(error)")
        }
    }

    private func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(OutboxError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw OutboxError(operation: operation, reason: "\(error)")
        }
    }

    private static func deliveries(_ db: Database, alertID: String) throws -> [DeliveryRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM vigil_deliveries WHERE alert_id = ? ORDER BY sink", arguments: [alertID])
            .map(record)
    }

    private static func record(_ row: Row) throws -> DeliveryRecord {
        let idText: String = row["alert_id"]
        guard let id = AlertID(idText) else {
            throw OutboxError(operation: "reading a delivery", reason: "stored alert id \(idText.debugDescription) is not a ULID")
        }
        guard let state = DeliveryState(rawValue: row["state"]) else {
            throw OutboxError(operation: "reading a delivery", reason: "unknown state \(String(describing: row["state"] as String?))")
        }
        func date(_ column: String) -> Date? {
            (row[column] as Double?).map { Date(timeIntervalSince1970: $0) }
        }
        return DeliveryRecord(
            sequence: row["seq"], alertID: id, sink: row["sink"], state: state, attempts: row["attempts"],
            enqueuedAt: date("enqueued_at") ?? Date(timeIntervalSince1970: 0),
            nextAttemptAt: date("next_attempt_at") ?? Date(timeIntervalSince1970: 0),
            lastAttemptAt: date("last_attempt_at"), deliveredAt: date("delivered_at"), lastError: row["last_error"])
    }
}
