import Foundation
import Logging
import PostgresNIO

/// Banks added over the API, kept in the fleet's database and loaded by every node.
///
/// Each bank has a version, bumped by a reload asked on any node; every node listens for changes
/// to the table and polls it too (``FleetBankSync``), loads what is new or newer (the old index serving until the new one is
/// ready), drops what was deleted, and records the version it serves, which `GET /v1/banks`
/// shows per node.
public struct FleetBanks: BankStore {
    /// A bank as the fleet's table holds it.
    public struct Row: Sendable, Equatable {
        /// The bank.
        public var spec: BankSpec
        /// Its version: 1 when added, one more at every reload asked.
        public var version: Int
    }

    /// What one node serves of one bank.
    public struct NodeLoad: Sendable, Equatable, Codable {
        /// The node.
        public var node: String
        /// The version it loaded last (successfully or not).
        public var version: Int
        /// When.
        public var loadedAt: Date
        /// Why that load failed (the node serves its previous version), if it did.
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case node, version, error
            case loadedAt = "loaded_at"
        }
    }

    let database: ClusterDatabase
    /// This node.
    public let node: String
    private let unreadable = UnreadableRows()

    /// The channel on which the database announces every change to the banks (schema version 2).
    static let channel = "vigil_banks"

    /// The banks of `database`, seen from `node`.
    public init(database: ClusterDatabase, node: String) {
        self.database = database
        self.node = node
    }

    /// Adds a bank at version 1; false when the name is taken.
    public func insert(_ spec: BankSpec) async throws(ClusterError) -> Bool {
        let text = try Self.encode(spec)
        return try await database.perform("bank insert") { client in
            var inserted = false
            for try await _ in try await client.query("""
                INSERT INTO vigil_banks (name, spec) VALUES (\(spec.name), \(text)::jsonb) ON CONFLICT DO NOTHING RETURNING name
                """, logger: database.logger).decode(String.self) {
                inserted = true
            }
            return inserted
        }
    }

    /// Deletes a bank; false when none had the name.
    public func removeBank(name: String) async throws(ClusterError) -> Bool {
        try await database.perform("bank delete") { client in
            var removed = false
            for try await _ in try await client.query(
                "DELETE FROM vigil_banks WHERE name = \(name) RETURNING name", logger: database.logger
            ).decode(String.self) {
                removed = true
            }
            try await client.query("DELETE FROM vigil_bank_loads WHERE bank = \(name)", logger: database.logger)
            return removed
        }
    }

    /// Asks every node to read the bank's files again; returns the new version, nil when unknown.
    public func bumpVersion(name: String) async throws(ClusterError) -> Int? {
        try await database.perform("bank reload") { client in
            var version: Int?
            for try await value in try await client.query(
                "UPDATE vigil_banks SET version = version + 1 WHERE name = \(name) RETURNING version", logger: database.logger
            ).decode(Int.self) {
                version = value
            }
            return version
        }
    }

    /// Every bank, in the order added.
    public func banks() async throws(ClusterError) -> [BankSpec] {
        try await all().map(\.spec)
    }

    /// Every bank with its version, in the order added.
    public func all() async throws(ClusterError) -> [Row] {
        let rows = try await database.perform("bank list") { client in
            var rows: [(String, Int)] = []
            for try await row in try await client.query(
                "SELECT spec::text, version FROM vigil_banks ORDER BY created_at, name", logger: database.logger
            ).decode((String, Int).self) {
                rows.append(row)
            }
            return rows
        }
        var banks: [Row] = []
        for (text, version) in rows {
            if let spec = unreadable.read(text, logger: database.logger, Self.decode) { banks.append(Row(spec: spec, version: version)) }
        }
        return banks
    }

    /// Records that this node loaded `version` of a bank (with the error when it failed).
    public func recordLoad(bank: String, version: Int, error: String?) async throws(ClusterError) {
        let node = node
        try await database.perform("bank load record") { client in
            try await client.query("""
                INSERT INTO vigil_bank_loads (node, bank, version, loaded_at, error) VALUES (\(node), \(bank), \(version), now(), \(error))
                ON CONFLICT (node, bank) DO UPDATE SET version = EXCLUDED.version, loaded_at = EXCLUDED.loaded_at, error = EXCLUDED.error
                """, logger: database.logger)
        }
    }

    /// What each node serves, by bank.
    public func loads() async throws(ClusterError) -> [String: [NodeLoad]] {
        try await database.perform("bank loads") { client in
            var loads: [String: [NodeLoad]] = [:]
            for try await row in try await client.query(
                "SELECT bank, node, version, loaded_at, error FROM vigil_bank_loads ORDER BY bank, node", logger: database.logger
            ).decode((String, String, Int, Date, String?).self) {
                loads[row.0, default: []].append(NodeLoad(node: row.1, version: row.2, loadedAt: row.3, error: row.4))
            }
            return loads
        }
    }

    static func encode(_ spec: BankSpec) throws(ClusterError) -> String {
        try StoredJSON.encode(spec, what: "bank \(spec.name)")
    }

    static func decode(_ text: String) throws(ClusterError) -> BankSpec {
        try StoredJSON.decode(BankSpec.self, from: text, table: "vigil_banks")
    }
}
