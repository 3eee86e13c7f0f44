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
            return pool
        } catch {
            throw OutboxError(operation: "opening \(path)", reason: "\(error)")
        }
    }
}
