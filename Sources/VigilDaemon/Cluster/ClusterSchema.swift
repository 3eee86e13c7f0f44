import Logging
import PostgresNIO

/// The fleet's tables in PostgreSQL, versioned.
///
/// Every node migrates the database to the version it knows when it starts, inside one
/// transaction under an advisory lock, so nodes starting together apply each step once; a node
/// meeting a database of a newer version (a newer node migrated it during a rolling upgrade)
/// refuses to start rather than write tables it does not understand.
public enum ClusterSchema {
    /// The statements of each version in order: version N is `versions[N - 1]`. Versions are
    /// only ever appended; a released version is never edited.
    static let versions: [[String]] = [
        [
            """
            CREATE TABLE vigil_nodes (
                id text PRIMARY KEY,
                version text NOT NULL,
                started_at timestamptz NOT NULL,
                last_heartbeat timestamptz NOT NULL,
                max_streams integer NOT NULL CHECK (max_streams >= 0),
                state text NOT NULL CHECK (state IN ('up', 'draining', 'gone'))
            )
            """,
            // Streams are desired state; node and lease_until say who reads one and until when.
            // An offered stream is still read by its node, until a node with fewer takes it.
            // Every lease is rewritten each round: half-empty pages keep those updates in place.
            """
            CREATE TABLE vigil_streams (
                id text PRIMARY KEY,
                spec jsonb NOT NULL,
                origin text NOT NULL CHECK (origin IN ('config', 'api')),
                node text,
                lease_until timestamptz,
                offered boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            ) WITH (fillfactor = 50)
            """,
            "CREATE INDEX vigil_streams_node ON vigil_streams (node)",
            // One row per incident the fleet raised: two readers of one stream, a failover or a
            // spool merge meet here, and only the first raises the alert.
            """
            CREATE TABLE vigil_incidents (
                stream text NOT NULL,
                bank text NOT NULL,
                subject text NOT NULL,
                window_start bigint NOT NULL,
                alert_id text NOT NULL,
                node text NOT NULL,
                last_seen timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (stream, bank, subject, window_start)
            )
            """,
            // The fleet's outbox: one alert log for every node, the same shape as a single
            // node's (times in seconds since 1970, as the delivery records carry them).
            """
            CREATE TABLE vigil_alerts (
                id text PRIMARY KEY,
                stream text NOT NULL,
                bank text NOT NULL,
                entry_id text NOT NULL,
                node text NOT NULL,
                created_at double precision NOT NULL,
                payload bytea NOT NULL,
                current bytea NOT NULL
            )
            """,
            """
            CREATE TABLE vigil_deliveries (
                seq bigserial PRIMARY KEY,
                alert_id text NOT NULL REFERENCES vigil_alerts (id),
                sink text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                enqueued_at double precision NOT NULL,
                next_attempt_at double precision NOT NULL,
                last_attempt_at double precision,
                delivered_at double precision,
                last_error text,
                UNIQUE (alert_id, sink)
            )
            """,
            "CREATE INDEX vigil_deliveries_queue ON vigil_deliveries (sink, state, seq)",
            // Banks added over the API, loaded by every node; a reload asked anywhere bumps the
            // version, and each node records the version it serves.
            """
            CREATE TABLE vigil_banks (
                name text PRIMARY KEY,
                spec jsonb NOT NULL,
                version bigint NOT NULL DEFAULT 1,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE vigil_bank_loads (
                node text NOT NULL,
                bank text NOT NULL,
                version bigint NOT NULL,
                loaded_at timestamptz NOT NULL,
                error text,
                PRIMARY KEY (node, bank)
            )
            """,
            // Who delivers for each sink: one node at a time, under a lease.
            """
            CREATE TABLE vigil_sink_leases (
                sink text PRIMARY KEY,
                node text NOT NULL,
                lease_until timestamptz NOT NULL
            )
            """,
        ],
        // Version 2: every change to the API banks, whoever writes it, is announced on the
        // `vigil_banks` channel, so that nodes load it at once instead of at their next poll.
        [
            """
            CREATE FUNCTION vigil_banks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('vigil_banks', '');
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER vigil_banks_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vigil_banks
            FOR EACH STATEMENT EXECUTE FUNCTION vigil_banks_changed()
            """,
        ],
        // Version 3: streams media servers publish (`discovery`) join the fleet's table, with the
        // origin `discovery:<source>`; each source's last applied poll is kept, so that a node's
        // older view never undoes a fresher one.
        [
            "ALTER TABLE vigil_streams DROP CONSTRAINT vigil_streams_origin_check",
            """
            ALTER TABLE vigil_streams ADD CONSTRAINT vigil_streams_origin_check
            CHECK (origin IN ('config', 'api') OR origin LIKE 'discovery:_%')
            """,
            """
            CREATE TABLE vigil_discovery_polls (
                source text PRIMARY KEY,
                polled_at timestamptz NOT NULL
            )
            """,
        ],
        // Version 4: the fleet's scan-job queue (`POST /v1/scans`); any node takes the next job.
        // seq is the queue order, kept when a job is requeued. The JSON columns hold the same
        // bytes a single node keeps in SQLite: jsonb would reorder keys and refuse some strings
        // a client may send (a NUL escape). A running job's progress is rewritten every few
        // seconds: free space in each page keeps those updates in place.
        [
            """
            CREATE TABLE vigil_scan_jobs (
                seq bigserial PRIMARY KEY,
                id text NOT NULL UNIQUE,
                source text NOT NULL,
                callback bytea,
                state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
                submitted_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                attempts integer NOT NULL DEFAULT 0,
                node text,
                progress bytea,
                verdict bytea,
                error text
            ) WITH (fillfactor = 70)
            """,
            // Claiming reads the queued jobs in seq order; listings by state read it backwards.
            "CREATE INDEX vigil_scan_jobs_state ON vigil_scan_jobs (state, seq)",
        ],
        // Scan jobs' alerts and file matches look up an earlier alert of their stream for the entry.
        ["CREATE INDEX vigil_alerts_subject ON vigil_alerts (stream, bank, entry_id)"],
    ]

    /// The version this build knows.
    public static var currentVersion: Int { versions.count }

    /// The advisory lock key that serialises migrations across nodes (ASCII "vigilsch").
    static let lockKey: Int64 = 0x7669_6769_6C73_6368

    /// Brings `database` to ``currentVersion``; returns the version it found.
    ///
    /// - Throws: ``ClusterError`` with ``ClusterError/Reason/schemaTooNew(found:known:)`` when the
    ///   database is newer, or another reason when it cannot be reached or a statement fails (then
    ///   nothing of the failed migration is kept).
    @discardableResult
    public static func migrate(_ database: ClusterDatabase) async throws(ClusterError) -> Int {
        let (name, logger) = (database.url.description, database.logger)
        // A migration may rewrite tables, and a node starting under load may wait for its first
        // connection: longer than a lease round's deadline.
        return try await database.transaction("schema migration", deadline: database.deadline * 12) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS vigil_schema (version integer NOT NULL)", logger: logger)
            var found: Int?
            for try await version in try await connection.query("SELECT version FROM vigil_schema", logger: logger).decode(Int.self) {
                found = version
            }
            if found == nil {
                try await connection.query("INSERT INTO vigil_schema (version) VALUES (0)", logger: logger)
            }
            let start = found ?? 0
            guard start <= currentVersion else {
                throw ClusterError(database: name, reason: .schemaTooNew(found: start, known: currentVersion))
            }
            for version in (start + 1)..<(currentVersion + 1) {
                for statement in versions[version - 1] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("UPDATE vigil_schema SET version = \(version)", logger: logger)
                logger.notice("cluster schema migrated", metadata: ["database": "\(name)", "version": "\(version)"])
            }
            return start
        }
    }
}
