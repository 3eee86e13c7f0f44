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
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw OutboxError(operation: "opening \(path)", reason: "\(error)")
        }
    }
}
