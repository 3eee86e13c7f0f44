import GRDB

/// The outbox's tables, created and upgraded by a GRDB migrator so later versions can evolve them.
enum OutboxSchema {
    static func migrate(_ writer: any DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("vigil-outbox-v1") { db in
            try db.execute(sql: """
                CREATE TABLE vigil_alerts (
                    id TEXT PRIMARY KEY NOT NULL,
                    stream TEXT NOT NULL,
                    bank TEXT NOT NULL,
                    entry_id TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    payload BLOB NOT NULL,
                    current BLOB NOT NULL
                );
                CREATE TABLE vigil_deliveries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert_id TEXT NOT NULL REFERENCES vigil_alerts(id),
                    sink TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    enqueued_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    last_attempt_at REAL,
                    delivered_at REAL,
                    last_error TEXT,
                    UNIQUE (alert_id, sink)
                );
                CREATE INDEX vigil_deliveries_queue ON vigil_deliveries (sink, state, seq);
                """)
        }
        migrator.registerMigration("vigil-outbox-v2-subjects") { db in
            // An earlier alert of the stream for the entry is looked up at every commit of a scan job's
            // alerts and of file matches (`RaisedAlert.isOncePerEntry`).
            try db.execute(sql: "CREATE INDEX vigil_alerts_subject ON vigil_alerts (stream, bank, entry_id)")
        }
        try migrator.migrate(writer)
    }
}
