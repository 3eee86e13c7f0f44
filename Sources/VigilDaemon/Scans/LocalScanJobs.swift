import Foundation
import GRDB
import VigilAlerts

/// A single node's scan jobs, in its state database beside the outbox: queued jobs survive a
/// restart, and the jobs it was running when it stopped go back to the queue when it starts.
public final class LocalScanJobs: ScanJobStore {
    private let database: DatabasePool

    /// Uses `database`, creating the table if needed.
    public init(database: DatabasePool) throws {
        self.database = database
        var migrator = DatabaseMigrator()
        migrator.registerMigration("vigil-scan-jobs-v1") { db in
            try db.execute(sql: """
                CREATE TABLE vigil_scan_jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    callback BLOB,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
                    submitted_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    node TEXT,
                    progress BLOB,
                    verdict BLOB,
                    error TEXT
                );
                CREATE INDEX vigil_scan_jobs_state ON vigil_scan_jobs (state, seq);
                """)
        }
        try migrator.migrate(database)
    }

    public func submit(_ job: ScanJob, capacity: Int) async throws -> ScanSubmission {
        let callback = job.callback?.data
        return try await database.write { db -> ScanSubmission in
            if let existing = try Self.fetch(db, where: "id = ?", [job.id]).first { return .exists(existing) }
            let active = try Int.fetchOne(db, sql: "SELECT count(*) FROM vigil_scan_jobs WHERE state IN ('queued', 'running')") ?? 0
            guard active < capacity else { return .full }
            try db.execute(
                sql: "INSERT INTO vigil_scan_jobs (id, source, callback, state, submitted_at) VALUES (?, ?, ?, 'queued', ?)",
                arguments: [job.id, job.source, callback, job.submittedAt.timeIntervalSince1970])
            return .queued
        }
    }

    public func claim(limit: Int, node: String, now: Date) async throws -> [ScanJob] {
        guard limit > 0 else { return [] }
        // The runner polls every second: an idle poll reads, and never writes (a full disk or a
        // locked database then costs nothing until there is work).
        let waiting = try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM vigil_scan_jobs WHERE state = 'queued')") ?? false
        }
        guard waiting else { return [] }
        return try await database.write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM vigil_scan_jobs WHERE state = 'queued' ORDER BY seq LIMIT ?", arguments: [limit])
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE vigil_scan_jobs SET state = 'running', node = ?, started_at = ?, attempts = attempts + 1, progress = NULL
                        WHERE id = ?
                        """,
                    arguments: [node, now.timeIntervalSince1970, id])
            }
            return try ids.compactMap { try Self.fetch(db, where: "id = ?", [$0]).first }
        }
    }

    public func record(_ progress: ScanJob.Progress, job id: String, node: String, attempt: Int) async throws -> Bool {
        let encoded = try JSONEncoder().encode(progress)
        return try await database.write { db in
            try db.execute(
                sql: "UPDATE vigil_scan_jobs SET progress = ? WHERE id = ? AND state = 'running' AND node = ? AND attempts = ?",
                arguments: [encoded, id, node, attempt])
            return db.changesCount > 0
        }
    }

    public func finish(job id: String, node: String, attempt: Int, outcome: ScanJob.Outcome, at date: Date) async throws -> Bool {
        let (state, verdict, error): (ScanJob.State, Data?, String?) = switch outcome {
        case .done(let verdict): (.done, verdict.data, nil)
        case .failed(let error): (.failed, nil, error)
        }
        return try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE vigil_scan_jobs SET state = ?, verdict = ?, error = ?, finished_at = ?
                    WHERE id = ? AND state = 'running' AND node = ? AND attempts = ?
                    """,
                arguments: [state.rawValue, verdict, error, date.timeIntervalSince1970, id, node, attempt])
            return db.changesCount > 0
        }
    }

    public func job(id: String) async throws -> ScanJob? {
        try await database.read { db in try Self.fetch(db, where: "id = ?", [id]).first }
    }

    public func jobs(state: ScanJob.State?, limit: Int) async throws -> [ScanJob] {
        try await database.read { db in
            if let state {
                return try Self.fetch(db, where: "state = ?", [state.rawValue], order: "seq DESC", limit: limit)
            }
            return try Self.fetch(db, where: "1", [], order: "seq DESC", limit: limit)
        }
    }

    public func requeueRunning(node: String) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "UPDATE vigil_scan_jobs SET state = 'queued', progress = NULL WHERE state = 'running' AND node = ?", arguments: [node])
            return db.changesCount
        }
    }

    /// A single node has no other nodes: a job it runs is requeued by its own next start.
    public func requeueAbandoned(staleAfter: Double) async throws -> Int { 0 }

    public func prune(finishedBefore date: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(
                sql: "DELETE FROM vigil_scan_jobs WHERE state IN ('done', 'failed') AND finished_at < ?",
                arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    private static func fetch(
        _ db: Database, where condition: String, _ arguments: [any DatabaseValueConvertible], order: String = "seq", limit: Int = -1
    ) throws -> [ScanJob] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM vigil_scan_jobs WHERE \(condition) ORDER BY \(order) LIMIT \(limit)",
            arguments: StatementArguments(arguments))
        return try rows.map(job)
    }

    private static func job(_ row: Row) throws -> ScanJob {
        var job = ScanJob(
            id: row["id"], source: row["source"], callback: try (row["callback"] as Data?).map { try JSONValue(parsing: $0) },
            submittedAt: Date(timeIntervalSince1970: row["submitted_at"]))
        guard let state = ScanJob.State(rawValue: row["state"]) else {
            throw ScanJobStoreError.unreadable(id: job.id, column: "state")
        }
        job.state = state
        job.startedAt = (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        job.finishedAt = (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        job.attempts = row["attempts"]
        job.node = row["node"]
        job.progress = try (row["progress"] as Data?).map { try JSONDecoder().decode(ScanJob.Progress.self, from: $0) }
        job.verdict = try (row["verdict"] as Data?).map { try JSONValue(parsing: $0) }
        job.error = row["error"]
        return job
    }
}

/// A stored job that cannot be read back.
public enum ScanJobStoreError: Error, CustomStringConvertible {
    /// A column of the job holds what this version cannot read.
    case unreadable(id: String, column: String)

    public var description: String {
        switch self {
        case .unreadable(let id, let column): "scan job \(id.debugDescription): unreadable \(column)"
        }
    }
}
