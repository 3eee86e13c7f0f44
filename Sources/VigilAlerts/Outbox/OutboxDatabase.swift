import Foundation
import GRDB

/// Opens the SQLite database that holds the outbox (and, in the daemon, its other state).
public enum OutboxDatabase {
    /// Opens (creating if needed) a WAL-mode database at `path`.
    ///
    /// `synchronous = FULL` makes every commit reach the disk before it returns, so an alert the
    /// outbox accepted survives a power cut as well as a killed process; alerts are rare enough
    /// that the extra fsync costs nothing that matters.
    public static func open(path: String) throws(OutboxError) -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the pool's one writer connection, after the pool's own WAL set-up, which
            // chooses NORMAL (a commit that may be lost on power failure) and would override a
            // setting made while the connection is prepared.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            // A damaged file fails here, at start, rather than on some later write.
            let check = try pool.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
            guard check == ["ok"] else {
                throw OutboxError(operation: "checking \(path)", reason: check.prefix(3).joined(separator: "; "), isCorrupt: true)
            }
            return pool
        } catch let error as OutboxError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw OutboxError(operation: "opening \(path)", reason: "\(error)", isCorrupt: true)
        } catch {
            throw OutboxError(operation: "opening \(path)", reason: "\(error)")
        }
    }

    /// Moves a damaged database at `path` (with its WAL and shared-memory files) aside, to
    /// `path.corrupt-<seconds since 1970>`, so that a new one can be created in its place while
    /// the old one stays for inspection; returns where it went.
    public static func setAside(path: String, now: Date = Date()) throws(OutboxError) -> String {
        let target = "\(path).corrupt-\(Int(now.timeIntervalSince1970))"
        do {
            try FileManager.default.moveItem(atPath: path, toPath: target)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: target + suffix)
            }
        } catch {
            throw OutboxError(operation: "setting \(path) aside", reason: "\(error)")
        }
        return target
    }
}
