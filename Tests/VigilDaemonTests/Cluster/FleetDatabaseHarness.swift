import Logging
import PostgresNIO
import Testing
@testable import VigilDaemon
import VigilTestSupport

/// A real PostgreSQL of the test's own and fleet database handles to it.
enum FleetDatabaseHarness {
    static let logger = Logger(label: "fleet-tests")

    /// The test server's URL for the fleet.
    static func url(_ server: PostgresServer) throws -> ClusterDatabaseURL {
        try ClusterDatabaseURL("\(server.url)?sslmode=disable")
    }

    /// Runs `body` with `count` handles to a fresh server (connections kept while it runs), then
    /// stops the server; a failure records the server's log.
    static func withServer(
        handles count: Int = 1, _ body: ([ClusterDatabase], PostgresServer) async throws -> Void
    ) async throws {
        let server = try await PostgresServer.start()
        do {
            let url = try url(server)
            let databases = try (0..<count).map { _ in try ClusterDatabase(url: url, logger: logger) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for database in databases { group.addTask { await database.run() } }
                defer { group.cancelAll() }
                try await body(databases, server)
            }
        } catch {
            Issue.record("\(error)\n\(server.log)")
        }
        await server.stop()
    }

    /// Runs one SQL statement that returns nothing (test setup).
    static func execute(_ database: ClusterDatabase, _ sql: String) async throws {
        try await database.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// The integers of a one-column query.
    static func integers(_ database: ClusterDatabase, _ sql: String) async throws -> [Int] {
        var values: [Int] = []
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) {
            values.append(value)
        }
        return values
    }

    /// The strings of a one-column query.
    static func strings(_ database: ClusterDatabase, _ sql: String) async throws -> [String] {
        var values: [String] = []
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
            values.append(value)
        }
        return values
    }
}
