import Foundation
import Testing
@testable import VigilDaemon
import VigilAlerts
import VigilTestSupport

/// The same behaviours of the stores for API-added streams and banks against both
/// implementations: a single node's state database (SQLite) and the fleet's (PostgreSQL).
@Suite("Stream and bank stores: SQLite and PostgreSQL", .serialized)
struct StoreContractTests {
    typealias Harness = FleetDatabaseHarness

    /// API streams with every field set, added in an order that is neither by id nor by URL.
    static let streams: [StreamSpec] = [
        StreamSpec(id: "zulu", url: "rtmp://127.0.0.1/live/zulu", sampling: .keyframes, maxKeyframeGap: 4, origin: .api),
        StreamSpec(id: "alpha", url: "srt://127.0.0.1:9000?streamid=alpha", sampling: .everyFrame, maxKeyframeGap: nil, origin: .api),
        StreamSpec(id: "mike", url: "http://127.0.0.1:8080/mike/index.m3u8", sampling: .interval(seconds: 0.5), maxKeyframeGap: 12.5, origin: .api),
    ]

    /// API banks, added in an order that is not by name.
    static let banks: [BankSpec] = [
        BankSpec(name: "videos", paths: ["/srv/banks/videos.txt", "/srv/banks/more.txt"], threshold: 40, minQuality: 70, origin: .api),
        BankSpec(name: "images", paths: ["/srv/banks/images.csv"], origin: .api),
    ]

    static func streamBehaviours(_ store: any StreamStore) async throws {
        #expect(try await store.streams().isEmpty)
        for stream in streams { #expect(try await store.insert(stream)) }
        var taken = streams[0]
        taken.url = "rtmp://127.0.0.1/live/other"
        #expect(try await store.insert(taken) == false, "the id is taken; the stored stream stays as it was")
        #expect(try await store.streams() == streams, "every field kept, in the order added")

        #expect(try await store.removeStream(id: "alpha") == .removed)
        #expect(try await store.removeStream(id: "alpha") == .notFound)
        #expect(try await store.removeStream(id: "never-added") == .notFound)
        #expect(try await store.streams() == [streams[0], streams[2]])
        #expect(try await store.insert(streams[1]), "a removed id can be used again")
        #expect(try await store.streams().map(\.id) == ["zulu", "mike", "alpha"])
    }

    static func bankBehaviours(_ store: any BankStore) async throws {
        #expect(try await store.banks().isEmpty)
        for bank in banks { #expect(try await store.insert(bank)) }
        var taken = banks[1]
        taken.threshold = 10
        #expect(try await store.insert(taken) == false, "the name is taken; the stored bank stays as it was")
        #expect(try await store.banks() == banks, "every field kept, in the order added")

        #expect(try await store.removeBank(name: "videos"))
        #expect(try await store.removeBank(name: "videos") == false)
        #expect(try await store.banks() == [banks[1]])
    }

    @Test("SQLite: every stream and bank behaviour")
    func sqlite() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(path: directory.appendingPathComponent("vigil.sqlite").path)
        let store = try DaemonStore(database: outbox.database)
        try await Self.streamBehaviours(store)
        try await Self.bankBehaviours(store)
    }

    @Test("PostgreSQL: every stream and bank behaviour")
    func postgres() async throws {
        try await Harness.withServer { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            try await Self.streamBehaviours(StreamLeases(database: databases[0], node: "node-a", ttl: 10))
            try await Self.bankBehaviours(FleetBanks(database: databases[0], node: "node-a"))
        }
    }
}
