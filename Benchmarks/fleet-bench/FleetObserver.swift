import Logging
import PostgresNIO
import VigilTestSupport

/// Reads the fleet's table and PostgreSQL's statistics on a connection pool of its own, apart
/// from the nodes' handles: the truth the nodes' rounds are judged against.
final class FleetObserver: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// An observer of the database of `server`.
    init(server: PostgresServer, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: "127.0.0.1", port: server.port, username: PostgresServer.user, password: nil,
            database: PostgresServer.database, tls: .disable)
        // One look at a time; a second connection only covers a reconnect.
        configuration.options.maximumConnections = 2
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Keeps the connections until the calling task is cancelled.
    func run() async {
        await client.run()
    }

    /// Streams under a live lease, by node.
    func holdings() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let rows = try await client.query("""
            SELECT node, count(*)::int8 FROM vigil_streams
            WHERE node IS NOT NULL AND lease_until >= now() GROUP BY node
            """, logger: logger)
        for try await (node, count) in rows.decode((String, Int).self) { counts[node] = count }
        return counts
    }

    /// The node of each stream under a live lease.
    func holders() async throws -> [String: String] {
        var holders: [String: String] = [:]
        let rows = try await client.query(
            "SELECT id, node FROM vigil_streams WHERE node IS NOT NULL AND lease_until >= now()", logger: logger)
        for try await (stream, node) in rows.decode((String, String).self) { holders[stream] = node }
        return holders
    }

    /// Streams in the table.
    func streamCount() async throws -> Int {
        var count = 0
        for try await value in try await client.query("SELECT count(*)::int8 FROM vigil_streams", logger: logger).decode(Int.self) {
            count = value
        }
        return count
    }

    /// The stream table's size on disk and its write statistics. Every renewal writes a new
    /// version of each row it renews, and every census reads the whole table, dead versions
    /// included.
    func streamTable() async throws -> StreamTable {
        var table = StreamTable(heapBytes: 0, totalBytes: 0, deadRows: 0, updates: 0, hotUpdates: 0, autovacuums: 0)
        let rows = try await client.query("""
            SELECT pg_relation_size(relid)::int8, pg_total_relation_size(relid)::int8, n_dead_tup::int8,
                   n_tup_upd::int8, n_tup_hot_upd::int8, autovacuum_count::int8
            FROM pg_stat_user_tables WHERE relname = 'vigil_streams'
            """, logger: logger)
        for try await row in rows.decode((Int, Int, Int, Int, Int, Int).self) {
            table = StreamTable(heapBytes: row.0, totalBytes: row.1, deadRows: row.2, updates: row.3, hotUpdates: row.4, autovacuums: row.5)
        }
        return table
    }

    /// The stream table as ``streamTable()`` found it.
    struct StreamTable {
        /// Bytes of the rows alone, and with indexes and TOAST.
        var heapBytes: Int
        var totalBytes: Int
        /// Dead row versions, as last counted.
        var deadRows: Int
        /// Rows updated so far, and how many of them in place (HOT: no new index entry).
        var updates: Int
        var hotUpdates: Int
        /// Autovacuum runs so far.
        var autovacuums: Int
    }

    /// Loads `pg_stat_statements`, the server's time by statement. It must be in
    /// `shared_preload_libraries` (``StatementStatistics/preload(on:)``).
    func enableStatementStatistics() async throws {
        try await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: logger)
    }

    /// Starts the statement statistics afresh.
    func resetStatementStatistics() async throws {
        try await client.query("SELECT pg_stat_statements_reset()::text", logger: logger)
    }

    /// The statements that took the server the most time since the last reset.
    func statementStatistics(top count: Int) async throws -> [StatementStatistics] {
        var statements: [StatementStatistics] = []
        let rows = try await client.query("""
            SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls::int8, total_exec_time, shared_blks_hit::int8 + shared_blks_read::int8
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT \(count)
            """, logger: logger)
        for try await (query, calls, milliseconds, blocks) in rows.decode((String, Int, Double, Int).self) {
            statements.append(StatementStatistics(query: query, calls: calls, milliseconds: milliseconds, blocks: blocks))
        }
        return statements
    }

    /// Transactions committed in this database so far (`pg_stat_database.xact_commit`). Each
    /// backend reports its counts when idle, at most once a second, so a reading lags by up to
    /// about a second.
    func committedTransactions() async throws -> Int {
        var count = 0
        let rows = try await client.query(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", logger: logger)
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }
}
