import Foundation
import VigilTestSupport

/// One statement's share of the server's time over a window, from `pg_stat_statements`: where
/// PostgreSQL's CPU goes, statement by statement.
struct StatementStatistics {
    /// The statement, normalised by PostgreSQL (constants as `$1`, `$2`, …) on one line.
    var query: String
    /// Times it ran.
    var calls: Int
    /// Its execution time in total, in milliseconds: not parsing or planning, nor a client's
    /// wait for a pooled connection.
    var milliseconds: Double
    /// Shared buffers it hit or read, in total: pages it looked at.
    var blocks: Int

    /// Adds `pg_stat_statements` to the libraries `server` preloads and restarts it; done before
    /// any client connects, as the library is only loaded at server start.
    static func preload(on server: PostgresServer) async throws {
        let settings = server.directory.appendingPathComponent("data/postgresql.conf")
        let file = try FileHandle(forWritingTo: settings)
        defer { try? file.close() }
        try file.seekToEnd()
        try file.write(contentsOf: Data("""

            shared_preload_libraries = 'pg_stat_statements'
            pg_stat_statements.track_utility = off

            """.utf8))
        try await server.halt()
        try await server.resume()
    }
}
