import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

/// The fleet's schema migrations against a real PostgreSQL the test starts itself.
@Suite("Cluster schema: versioned migrations in PostgreSQL", .serialized)
struct ClusterSchemaTests {
    typealias Harness = FleetDatabaseHarness

    @Test("a new database is brought to the current version once; migrating again changes nothing")
    func freshAndAgain() async throws {
        try await Harness.withServer { databases, _ in
            let database = databases[0]
            #expect(try await ClusterSchema.migrate(database) == 0)
            #expect(try await Harness.integers(database, "SELECT version FROM vigil_schema") == [ClusterSchema.currentVersion])
            // The tables are there and usable.
            try await Harness.execute(database, """
                INSERT INTO vigil_nodes (id, version, started_at, last_heartbeat, max_streams, state)
                VALUES ('node-a', 'test', now(), now(), 200, 'up')
                """)
            try await Harness.execute(database, "INSERT INTO vigil_streams (id, spec, origin, node) VALUES ('cam', '{}', 'config', 'node-a')")
            #expect(try await ClusterSchema.migrate(database) == ClusterSchema.currentVersion)
            #expect(try await Harness.integers(database, "SELECT version FROM vigil_schema") == [ClusterSchema.currentVersion])
            #expect(try await Harness.strings(database, "SELECT id FROM vigil_streams") == ["cam"], "migrating again keeps the data")
        }
    }

    @Test("nodes starting together migrate once between them")
    func concurrentNodes() async throws {
        try await Harness.withServer(handles: 3) { databases, _ in
            let found = try await withThrowingTaskGroup(of: Int.self) { group in
                for database in databases {
                    group.addTask { try await ClusterSchema.migrate(database) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(found.sorted() == [0, ClusterSchema.currentVersion, ClusterSchema.currentVersion], "\(found)")
            #expect(try await Harness.integers(databases[0], "SELECT version FROM vigil_schema") == [ClusterSchema.currentVersion])
        }
    }

    @Test("a database migrated by a newer node is refused, naming both versions, and left as it was")
    func newerSchemaIsRefused() async throws {
        try await Harness.withServer { databases, _ in
            let database = databases[0]
            try await ClusterSchema.migrate(database)
            let newer = ClusterSchema.currentVersion + 1
            try await Harness.execute(database, "UPDATE vigil_schema SET version = \(newer)")
            let error = await #expect(throws: ClusterError.self) { try await ClusterSchema.migrate(database) }
            #expect(error?.reason == .schemaTooNew(found: newer, known: ClusterSchema.currentVersion))
            #expect(error?.description.contains("version \(newer)") == true, "\(String(describing: error))")
            #expect(try await Harness.integers(database, "SELECT version FROM vigil_schema") == [newer])
        }
    }

    @Test("an unreachable database is an error naming it (without password) within the deadline, not a hang")
    func unreachable() async throws {
        let port = try freeLoopbackPort()
        let url = try ClusterDatabaseURL("postgres://vigil:s3cret@127.0.0.1:\(port)/fleet?sslmode=disable")
        let database = try ClusterDatabase(url: url, deadline: .milliseconds(500), logger: FleetDatabaseHarness.logger)
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            let error = await #expect(throws: ClusterError.self) { try await ClusterSchema.migrate(database) }
            #expect(error?.database == "postgres://vigil@127.0.0.1:\(port)/fleet")
            #expect(error?.description.contains("s3cret") == false)
        }
        #expect(ContinuousClock.now - started < .seconds(15), "a migration's deadline is 12 times the database's")
    }
}
