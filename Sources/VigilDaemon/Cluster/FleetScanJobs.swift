import Foundation
import Logging
import PostgresNIO
import VigilAlerts

/// The fleet's scan-job queue in PostgreSQL (schema version 4): a job submitted to any node is
/// run by whichever node has a free slot first, and the jobs of a node that stopped answering go
/// back to the queue for the others.
///
/// The semantics are ``LocalScanJobs``'s, to the row: the same behaviour tests run against both.
/// What a fleet adds: claims of several nodes at once never take the same job (rows another node
/// is claiming are skipped, not waited for), the queue's capacity holds across the fleet, and
/// liveness is judged by the database's clock (`now()`) against the nodes' heartbeats, so nodes'
/// clocks need not agree. Times are kept to the microsecond (PostgreSQL's precision).
public final class FleetScanJobs: ScanJobStore {
    let database: ClusterDatabase
    private let unreadable = UnreadableRows()

    /// The advisory lock key that serialises submissions across nodes (ASCII "vigilscn"), so two
    /// nodes accepting jobs at once cannot both take the queue's last free place.
    static let submitLockKey: Int64 = 0x7669_6769_6C73_636E

    /// The queue of `database` (migrated by ``ClusterSchema``).
    public init(database: ClusterDatabase) {
        self.database = database
    }

    private var logger: Logger { database.logger }

    /// The columns every read selects, in ``StoredRow``'s order.
    private static let columns = """
        seq, id, source, callback, state, submitted_at, started_at, finished_at, attempts, node, progress, verdict, error
        """

    public func submit(_ job: ScanJob, capacity: Int) async throws(ClusterError) -> ScanSubmission {
        let callback = job.callback?.data
        let (lockKey, logger) = (Self.submitLockKey, logger)
        let outcome = try await database.transaction("scan job submit") { connection -> Submitted in
            // Held to the end of the transaction: the count below and the insert are one step
            // for the whole fleet.
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            for row in try await Self.rows(connection.query(
                "SELECT \(unescaped: Self.columns) FROM vigil_scan_jobs WHERE id = \(job.id)", logger: logger)) {
                return .exists(row)
            }
            for try await _ in try await connection.query("""
                INSERT INTO vigil_scan_jobs (id, source, callback, state, submitted_at)
                SELECT \(job.id), \(job.source), \(callback), 'queued', \(job.submittedAt)
                WHERE (SELECT count(*) FROM vigil_scan_jobs WHERE state IN ('queued', 'running')) < \(capacity)
                RETURNING seq
                """, logger: logger).decode(Int64.self) {
                return .queued
            }
            return .full
        }
        switch outcome {
        case .queued: return .queued
        case .full: return .full
        case .exists(let row): return .exists(try row.job())
        }
    }

    /// What a submission's transaction found, read into a job outside it.
    private enum Submitted: Sendable {
        case queued
        case full
        case exists(StoredRow)
    }

    public func claim(limit: Int, node: String, now: Date) async throws(ClusterError) -> [ScanJob] {
        guard limit > 0 else { return [] }
        let logger = logger
        let rows = try await database.perform("scan job claim") { client in
            // One statement: the queued rows are locked as they are chosen, and rows another
            // node's claim holds are passed over, so no job is taken twice.
            try await Self.rows(client.query("""
                UPDATE vigil_scan_jobs
                SET state = 'running', node = \(node), started_at = \(now), attempts = attempts + 1, progress = NULL
                FROM (SELECT seq AS chosen FROM vigil_scan_jobs WHERE state = 'queued' ORDER BY seq LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED) c
                WHERE seq = c.chosen
                RETURNING \(unescaped: Self.columns)
                """, logger: logger))
        }
        // RETURNING gives no order: the queue's is seq's.
        return readable(rows.sorted { $0.seq < $1.seq })
    }

    public func record(_ progress: ScanJob.Progress, job id: String, node: String, attempt: Int) async throws(ClusterError) -> Bool {
        // Bound as a ByteBuffer: Data's binding may throw, which a typed-throwing caller cannot pass on.
        let encoded = ByteBuffer(string: try StoredJSON.encode(progress, what: "progress of scan job \(id)"))
        return try await changed("scan job progress", """
            UPDATE vigil_scan_jobs SET progress = \(encoded)
            WHERE id = \(id) AND state = 'running' AND node = \(node) AND attempts = \(attempt)
            RETURNING seq
            """) > 0
    }

    public func finish(
        job id: String, node: String, attempt: Int, outcome: ScanJob.Outcome, at date: Date
    ) async throws(ClusterError) -> Bool {
        let (state, verdict, error): (ScanJob.State, ByteBuffer?, String?) = switch outcome {
        case .done(let verdict): (.done, ByteBuffer(bytes: verdict.data), nil)
        case .failed(let error): (.failed, nil, error)
        }
        return try await changed("scan job finish", """
            UPDATE vigil_scan_jobs SET state = \(state.rawValue), verdict = \(verdict), error = \(error), finished_at = \(date)
            WHERE id = \(id) AND state = 'running' AND node = \(node) AND attempts = \(attempt)
            RETURNING seq
            """) > 0
    }

    public func job(id: String) async throws(ClusterError) -> ScanJob? {
        let logger = logger
        let rows = try await database.perform("scan job read") { client in
            try await Self.rows(client.query("SELECT \(unescaped: Self.columns) FROM vigil_scan_jobs WHERE id = \(id)", logger: logger))
        }
        // Asked for by id, an unreadable job is an error, not a job that does not exist.
        return try rows.first?.job()
    }

    public func jobs(state: ScanJob.State?, limit: Int) async throws(ClusterError) -> [ScanJob] {
        let logger = logger
        // A negative limit is no limit, as in SQLite (PostgreSQL's LIMIT NULL).
        let (wanted, most): (String?, Int?) = (state?.rawValue, limit < 0 ? nil : limit)
        let rows = try await database.perform("scan job list") { client in
            try await Self.rows(client.query("""
                SELECT \(unescaped: Self.columns) FROM vigil_scan_jobs WHERE \(wanted)::text IS NULL OR state = \(wanted)
                ORDER BY seq DESC LIMIT \(most)
                """, logger: logger))
        }
        return readable(rows)
    }

    public func requeueRunning(node: String) async throws(ClusterError) -> Int {
        // seq stays: the jobs keep their place in the queue.
        try await changed("scan job requeue", """
            UPDATE vigil_scan_jobs SET state = 'queued', progress = NULL WHERE state = 'running' AND node = \(node)
            RETURNING seq
            """)
    }

    public func requeueAbandoned(staleAfter: Double) async throws(ClusterError) -> Int {
        // A node is alive while it is up or draining (a draining node finishes its jobs) and its
        // heartbeat is recent by the database's clock. A job finished meanwhile is no longer
        // running when this statement reaches its row, and is left alone.
        try await changed("scan job takeover", """
            UPDATE vigil_scan_jobs j SET state = 'queued', progress = NULL
            WHERE j.state = 'running' AND NOT EXISTS (
                SELECT 1 FROM vigil_nodes n
                WHERE n.id = j.node AND n.state IN ('up', 'draining')
                  AND n.last_heartbeat > now() - make_interval(secs => \(staleAfter)))
            RETURNING j.seq
            """)
    }

    public func prune(finishedBefore date: Date) async throws(ClusterError) -> Int {
        try await changed("scan job prune", """
            DELETE FROM vigil_scan_jobs WHERE state IN ('done', 'failed') AND finished_at < \(date) RETURNING seq
            """)
    }

    // MARK: Statements

    /// Runs a statement returning one `seq` per row it changed; the count of rows.
    private func changed(_ operation: String, _ query: PostgresQuery) async throws(ClusterError) -> Int {
        let logger = logger
        return try await database.perform(operation) { client in
            var count = 0
            for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { count += 1 }
            return count
        }
    }

    /// The rows of a query selecting ``columns``.
    private static func rows(_ sequence: PostgresRowSequence) async throws -> [StoredRow] {
        var rows: [StoredRow] = []
        for try await row in sequence.decode(StoredRow.Columns.self) { rows.append(StoredRow(row)) }
        return rows
    }

    /// The jobs of `rows`; a row this version cannot read (written by hand, or by a newer node)
    /// is skipped and reported once, so that one row stops neither the queue nor a listing.
    private func readable(_ rows: [StoredRow]) -> [ScanJob] {
        rows.compactMap { row in unreadable.read(row.id, logger: logger) { _ throws(ClusterError) in try row.job() } }
    }
}

/// A row of `vigil_scan_jobs` as read, before its JSON columns are.
private struct StoredRow: Sendable {
    typealias Columns = (Int64, String, String, Data?, String, Date, Date?, Date?, Int, String?, Data?, Data?, String?)

    var seq: Int64
    var id: String
    var source: String
    var callback: Data?
    var state: String
    var submittedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var attempts: Int
    var node: String?
    var progress: Data?
    var verdict: Data?
    var error: String?

    init(_ columns: Columns) {
        (seq, id, source, callback, state, submittedAt, startedAt, finishedAt, attempts, node, progress, verdict, error) = columns
    }

    /// The job; an error naming the job and column when a column cannot be read.
    func job() throws(ClusterError) -> ScanJob {
        var job = ScanJob(id: id, source: source, callback: try json(callback, column: "callback"), submittedAt: submittedAt)
        guard let state = ScanJob.State(rawValue: state) else { throw unreadable("state") }
        job.state = state
        job.startedAt = startedAt
        job.finishedAt = finishedAt
        job.attempts = attempts
        job.node = node
        if let progress {
            do {
                job.progress = try JSONDecoder().decode(ScanJob.Progress.self, from: progress)
            } catch {
                throw unreadable("progress")
            }
        }
        job.verdict = try json(verdict, column: "verdict")
        job.error = error
        return job
    }

    private func json(_ data: Data?, column: String) throws(ClusterError) -> JSONValue? {
        guard let data else { return nil }
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw unreadable(column)
        }
    }

    private func unreadable(_ column: String) -> ClusterError {
        ClusterError(database: "vigil_scan_jobs", reason: .database("\(ScanJobStoreError.unreadable(id: id, column: column))"))
    }
}
