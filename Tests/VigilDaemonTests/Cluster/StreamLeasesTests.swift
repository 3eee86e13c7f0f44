import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

/// The lease statements against a real PostgreSQL: claims never overlap, renewals keep only what
/// is still ours, offers hand over without a gap, releases free everything at once.
@Suite("Stream leases in PostgreSQL", .serialized)
struct StreamLeasesTests {
    typealias Harness = FleetDatabaseHarness

    static func streams(_ count: Int) -> [StreamSpec] {
        (0..<count).map { StreamSpec(id: String(format: "cam-%02d", $0), url: "udp://127.0.0.1:\(20000 + $0)") }
    }

    static func leases(_ databases: [ClusterDatabase], ttl: Double = 10) async throws -> [StreamLeases] {
        try await ClusterSchema.migrate(databases[0])
        var leases: [StreamLeases] = []
        for (index, database) in databases.enumerated() {
            let lease = StreamLeases(database: database, node: "node-\(index)", ttl: ttl)
            try await lease.register(version: "test", maxStreams: 200)
            leases.append(lease)
        }
        return leases
    }

    @Test("nodes claiming at the same moment never get the same stream, and together get all")
    func concurrentClaims() async throws {
        try await Harness.withServer(handles: 3) { databases, _ in
            let leases = try await Self.leases(databases)
            try await leases[0].replaceConfigStreams(Self.streams(30))
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for lease in leases { group.addTask { try await lease.claim(12).map(\.id) } }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 30)
            #expect(Set(claimed).count == 30, "no stream claimed twice")
            let census = try await leases[0].census()
            #expect(census == .init(streams: 30, orphaned: 0, nodesUp: 3, fewestHeld: census.fewestHeld))
        }
    }

    @Test("discovered streams: a poll makes the source's rows exactly what it lists; an older poll changes nothing; other origins keep their ids")
    func discovery() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            let leases = try await Self.leases(databases)
            func discovered(_ id: String) -> StreamSpec {
                StreamSpec(id: id, url: "rtmp://127.0.0.1/live/\(id)", origin: .discovery("edge"))
            }
            try await leases[0].replaceConfigStreams([StreamSpec(id: "live-taken", url: "udp://127.0.0.1:21001")])
            let start = Date()
            let first = try await leases[0].applyDiscovery(
                source: "edge", streams: ["live-a", "live-b", "live-taken"].map(discovered), polledAt: start)
            #expect(first?.taken == ["live-taken"] && first?.watched == 2)
            #expect(first?.added == ["live-a", "live-b"] && first?.removed == [])
            #expect(try await leases[1].streams().filter { $0.origin == .discovery("edge") }.map(\.id).sorted() == ["live-a", "live-b"])
            #expect(try await leases[1].removeStream(id: "live-a") == .isDiscovered("edge"))

            // A fresher poll from the other node drops live-a; an older one from the first is ignored.
            let second = try await leases[1].applyDiscovery(source: "edge", streams: [discovered("live-b")], polledAt: start + 1)
            #expect(second?.watched == 1)
            #expect(second?.added == [] && second?.removed == ["live-a"])
            #expect(try await leases[0].applyDiscovery(source: "edge", streams: [discovered("live-a")], polledAt: start + 0.5) == nil)
            #expect(try await leases[0].streams().filter { $0.origin == .discovery("edge") }.map(\.id) == ["live-b"])
            #expect(try await leases[0].streams().first { $0.id == "live-taken" }?.origin == .config)
        }
    }

    @Test("renewal returns what is still ours: a deleted stream or one another node took drops out")
    func renewal() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            let leases = try await Self.leases(databases)
            var api = StreamSpec(id: "api-cam", url: "udp://127.0.0.1:21000")
            api.origin = .api
            #expect(try await leases[0].insert(api))
            #expect(try await leases[0].insert(api) == false, "the id is taken")
            try await leases[0].replaceConfigStreams(Self.streams(3))
            #expect(try await leases[0].claim(10).count == 4)
            #expect(try await leases[0].removeStream(id: "api-cam") == .removed)
            #expect(try await leases[0].removeStream(id: "api-cam") == .notFound)
            #expect(try await leases[1].removeStream(id: "cam-00") == .isConfig)
            try await leases[0].offer(1)
            let taken = try await leases[1].claim(5)
            #expect(taken.count == 1, "only the offered stream can be taken: the rest hold live leases")
            let kept = try await leases[0].renew().map(\.spec.id)
            #expect(kept.count == 2)
            #expect(!kept.contains("api-cam") && !kept.contains(taken[0].id))
        }
    }

    @Test("a lease not renewed within the TTL is claimed by another node; a release frees all at once")
    func expiryAndRelease() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            let leases = try await Self.leases(databases, ttl: 1)
            try await leases[0].replaceConfigStreams(Self.streams(4))
            #expect(try await leases[0].claim(4).count == 4)
            #expect(try await leases[1].claim(4).isEmpty, "live leases are not taken")
            try await Task.sleep(for: .milliseconds(1500))  // the database's clock decides expiry
            #expect(try await leases[1].claim(4).count == 4)
            try await leases[1].release(state: "gone")
            #expect(try await leases[0].census().orphaned == 4)
            let nodes = try await leases[0].nodes()
            #expect(nodes.map(\.state) == ["gone", "gone"], "node-0 missed its heartbeat, node-1 left")
        }
    }

    @Test("config streams: a reload adds, changes and removes them; API streams stay")
    func configReplacement() async throws {
        try await Harness.withServer { databases, _ in
            let leases = try await Self.leases(databases)
            var api = StreamSpec(id: "api-cam", url: "udp://127.0.0.1:21000")
            api.origin = .api
            _ = try await leases[0].insert(api)
            try await leases[0].replaceConfigStreams(Self.streams(3))
            var changed = Self.streams(2)
            changed[1].url = "udp://127.0.0.1:29999"
            try await leases[0].replaceConfigStreams(changed)
            let rows = try await leases[0].streamsWithReaders()
            #expect(rows.map(\.spec.id).sorted() == ["api-cam", "cam-00", "cam-01"])
            #expect(rows.first { $0.spec.id == "cam-01" }?.spec.url == "udp://127.0.0.1:29999")
            #expect(try await leases[0].streamsWithReaders(id: "cam-01").map(\.spec) == [changed[1]], "one stream, read alone")
            #expect(try await leases[0].streamsWithReaders(id: "cam-02").isEmpty)
        }
    }

    @Test("a row this node cannot read (a newer node's, or written by hand) is skipped, not a failed round")
    func unreadableRow() async throws {
        try await Harness.withServer { databases, _ in
            let leases = try await Self.leases(databases)
            try await leases[0].replaceConfigStreams(Self.streams(2))
            try await Harness.execute(databases[0], """
                INSERT INTO vigil_streams (id, spec, origin) VALUES ('from-the-future', '{"id": "x", "sampling": {"quantum": true}}', 'api')
                """)
            #expect(try await leases[0].claim(10).map(\.id).sorted() == ["cam-00", "cam-01"])
            #expect(try await leases[0].renew().map(\.spec.id).sorted() == ["cam-00", "cam-01"])
            #expect(try await leases[0].streamsWithReaders().count == 2)
            #expect(try await leases[0].census().orphaned == 0, "held here, so no other node trips on it")
        }
    }
}
