import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

/// API banks shared through the fleet's database, against a real PostgreSQL.
@Suite("Fleet banks: added anywhere, loaded everywhere", .serialized)
struct FleetBanksTests {
    typealias Harness = FleetDatabaseHarness

    @Test("a bank added through one node is loaded by another in one pass; a reload bumps the version; a delete drops it")
    func sync() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            let path = Fixtures.root.appendingPathComponent("Samples/banks/known").path
            let (registryA, registryB) = (BankRegistry(), BankRegistry())
            let a = FleetBankSync(banks: FleetBanks(database: databases[0], node: "node-a"), registry: registryA, logger: Harness.logger)
            let b = FleetBankSync(banks: FleetBanks(database: databases[1], node: "node-b"), registry: registryB, logger: Harness.logger)
            let spec = BankSpec(name: "shared", paths: [path], origin: .api)
            #expect(try await a.banks.insert(spec))
            #expect(try await b.banks.insert(spec) == false, "the name is taken fleet-wide")

            try await b.sync(configBanks: [])
            #expect(registryB.specs == [spec])
            #expect(registryB.loaded().map(\.spec.name) == ["shared"])
            #expect(try await a.banks.loads()["shared"]?.map(\.node) == ["node-b"])
            #expect(try await a.banks.loads()["shared"]?.first?.version == 1)

            // A pass with nothing new loads nothing again.
            let loadedAt = try #require(registryB.status("shared")?.loadedAt)
            try await b.sync(configBanks: [])
            #expect(registryB.status("shared")?.loadedAt == loadedAt)

            #expect(try await a.banks.bumpVersion(name: "shared") == 2)
            #expect(try await a.banks.bumpVersion(name: "missing") == nil)
            try await b.sync(configBanks: [])
            #expect(try await a.banks.loads()["shared"]?.first { $0.node == "node-b" }?.version == 2)

            // A config bank of the same name is the node's own and wins.
            let c = FleetBankSync(banks: FleetBanks(database: databases[1], node: "node-c"), registry: BankRegistry(), logger: Harness.logger)
            try await c.sync(configBanks: ["shared"])
            #expect(try await a.banks.loads()["shared"]?.contains { $0.node == "node-c" } == false)

            #expect(try await a.banks.removeBank(name: "shared"))
            try await b.sync(configBanks: [])
            #expect(registryB.specs.isEmpty && registryB.loaded().isEmpty)
        }
    }

    @Test("a node hears of a bank added or deleted elsewhere at once (LISTEN/NOTIFY), without waiting for its poll")
    func notifications() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            let path = Fixtures.root.appendingPathComponent("Samples/banks/known").path
            let writer = FleetBanks(database: databases[0], node: "node-a")
            let registry = BankRegistry()
            let listener = FleetBankSync(banks: FleetBanks(database: databases[1], node: "node-b"), registry: registry, logger: Harness.logger)
            // Polling once an hour: only a notification (or the pass when listening starts) loads.
            let running = Task { await listener.run(every: .seconds(3600), on: ContinuousClock()) { [] } }
            defer { running.cancel() }
            #expect(try await writer.insert(BankSpec(name: "first", paths: [path], origin: .api)))
            try await waitUntil(timeout: .seconds(10)) { registry.specs.map(\.name) == ["first"] }
            // Listening has started (that pass loaded "first"): what follows comes by notification.
            let added = ContinuousClock.now
            #expect(try await writer.insert(BankSpec(name: "second", paths: [path], origin: .api)))
            try await waitUntil(timeout: .seconds(5)) { registry.specs.map(\.name) == ["first", "second"] }
            #expect(try await writer.removeBank(name: "first"))
            try await waitUntil(timeout: .seconds(5)) { registry.specs.map(\.name) == ["second"] }
            print("fleet bank notifications: added and deleted banks loaded and dropped within \(ContinuousClock.now - added)")
        }
    }
}
