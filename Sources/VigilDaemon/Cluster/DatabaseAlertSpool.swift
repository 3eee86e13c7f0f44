import Foundation
import GRDB
import VigilAlerts

/// A fleet node's spool: alerts it raised while the fleet's database was out of reach, kept
/// durably in the node's own state database until they can be claimed (``IncidentClaims``): then
/// each is committed to the outbox, or dropped when the fleet had raised its incident already.
public final class DatabaseAlertSpool: AlertSpool {
    private let database: DatabasePool

    /// Uses `database` (the state database), creating the table if needed.
    public init(database: DatabasePool) throws {
        self.database = database
        var migrator = DatabaseMigrator()
        migrator.registerMigration("vigil-spool-v1") { db in
            try db.execute(sql: """
                CREATE TABLE vigil_alert_spool (
                    alert_id TEXT PRIMARY KEY NOT NULL,
                    alert BLOB NOT NULL,
                    spooled_at REAL NOT NULL
                )
                """)
        }
        try migrator.migrate(database)
    }

    /// Keeps `alert` (again: a repeat is a no-op), durably, before returning.
    public func add(_ alert: RaisedAlert) async throws {
        let body = try AlertCoding.encode(alert)
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO vigil_alert_spool (alert_id, alert, spooled_at) VALUES (?, ?, ?)",
                arguments: [alert.id.rawValue, body, Date().timeIntervalSince1970])
        }
    }

    /// The spooled alerts, oldest first.
    public func alerts() async throws -> [RaisedAlert] {
        try await database.read { db in
            try Data.fetchAll(db, sql: "SELECT alert FROM vigil_alert_spool ORDER BY alert_id")
        }.map { try AlertCoding.decode($0) }
    }

    /// Forgets a spooled alert (committed to the outbox, or raised elsewhere).
    public func remove(_ id: AlertID) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM vigil_alert_spool WHERE alert_id = ?", arguments: [id.rawValue])
        }
    }
}
