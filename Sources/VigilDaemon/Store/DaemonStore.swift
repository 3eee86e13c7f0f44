import Foundation
import GRDB

/// A single node's streams and banks added over the API, kept in the state database (beside the
/// outbox) so that they survive restarts.
public final class DaemonStore: StreamStore, BankStore {
    private let database: DatabasePool

    /// Uses `database`, creating the tables if needed.
    public init(database: DatabasePool) throws {
        self.database = database
        var migrator = DatabaseMigrator()
        migrator.registerMigration("vigil-daemon-v1") { db in
            try db.execute(sql: """
                CREATE TABLE vigil_api_streams (
                    id TEXT PRIMARY KEY NOT NULL,
                    spec BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE vigil_api_banks (
                    name TEXT PRIMARY KEY NOT NULL,
                    spec BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                """)
        }
        try migrator.migrate(database)
    }

    /// Every stored stream, in the order they were added.
    public func streams() async throws -> [StreamSpec] {
        try await database.read { db in
            try Data.fetchAll(db, sql: "SELECT spec FROM vigil_api_streams ORDER BY created_at, id")
        }.map { try JSONDecoder().decode(StreamSpec.self, from: $0) }
    }

    /// Stores a stream; false when the id is already stored.
    public func insert(_ stream: StreamSpec) async throws -> Bool {
        let spec = try JSONEncoder().encode(stream)
        return try await database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO vigil_api_streams (id, spec, created_at) VALUES (?, ?, ?)",
                arguments: [stream.id, spec, Date().timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// Removes a stored stream (only API streams are stored here: never `.isConfig`).
    public func removeStream(id: String) async throws -> StreamRemoval {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM vigil_api_streams WHERE id = ?", arguments: [id])
            return db.changesCount > 0 ? .removed : .notFound
        }
    }

    /// Every stored bank, in the order they were added.
    public func banks() async throws -> [BankSpec] {
        try await database.read { db in
            try Data.fetchAll(db, sql: "SELECT spec FROM vigil_api_banks ORDER BY created_at, name")
        }.map { try JSONDecoder().decode(BankSpec.self, from: $0) }
    }

    /// Stores a bank; false when the name is already stored.
    public func insert(_ bank: BankSpec) async throws -> Bool {
        let spec = try JSONEncoder().encode(bank)
        return try await database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO vigil_api_banks (name, spec, created_at) VALUES (?, ?, ?)",
                arguments: [bank.name, spec, Date().timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// Removes a stored bank; false when none had the name.
    public func removeBank(name: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM vigil_api_banks WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }
}
