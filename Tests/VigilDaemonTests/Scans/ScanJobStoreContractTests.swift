import Foundation
import Testing
import VigilAlerts
@testable import VigilDaemon
import VigilTestSupport

/// The same scan-job queue behaviours against both implementations: a single node's state
/// database (SQLite) and the fleet's (PostgreSQL). Then what only a fleet's queue does: take
/// over the jobs of nodes that stopped answering.
@Suite("Scan-job queue contract: SQLite and PostgreSQL", .serialized)
struct ScanJobStoreContractTests {
    typealias Harness = FleetDatabaseHarness
    /// Whole and quarter seconds: kept exactly by both databases (PostgreSQL keeps microseconds).
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    /// Makes an empty queue; a second call on the same database gives another handle to it.
    typealias Fresh = () async throws -> any ScanJobStore
    /// Two handles to one empty queue (two nodes of a fleet; one node's two callers in SQLite).
    typealias FreshPair = () async throws -> (any ScanJobStore, any ScanJobStore)

    static func job(_ id: String, at seconds: Double = 0, source: String? = nil, callback: JSONValue? = nil) -> ScanJob {
        ScanJob(id: id, source: source ?? "https://media.example/\(id).mp4", callback: callback, submittedAt: base.addingTimeInterval(seconds))
    }

    static func submit(_ store: any ScanJobStore, _ ids: [String], capacity: Int = 100) async throws {
        // Submission times run backwards: the queue's order is the order of submission, not a
        // client's clock.
        for (index, id) in ids.enumerated() {
            #expect(try await store.submit(job(id, at: -Double(index)), capacity: capacity) == .queued)
        }
    }

    // MARK: Behaviours

    /// Queued, an id taken (the stored job given back), a full queue.
    static func submission(_ store: any ScanJobStore) async throws {
        let first = job("first", callback: .object(["ticket": .number(7)]))
        #expect(try await store.submit(first, capacity: 3) == .queued)
        #expect(try await store.job(id: "first") == first, "every field kept; a queued job has no attempt yet")
        #expect(try await store.job(id: "never") == nil)

        let other = job("first", at: 9, source: "/srv/other.mp4")
        #expect(try await store.submit(other, capacity: 3) == .exists(first), "a taken id gives back the stored job, unchanged")
        #expect(try await store.job(id: "first") == first)

        #expect(try await store.submit(job("second", at: 1), capacity: 3) == .queued)
        #expect(try await store.submit(job("third", at: 2), capacity: 3) == .queued)
        #expect(try await store.submit(job("fourth", at: 3), capacity: 3) == .full)
        #expect(try await store.job(id: "fourth") == nil, "a refused job is not kept")
        #expect(try await store.submit(first, capacity: 3) == .exists(first), "a retry is recognised even when the queue is full")

        // Running jobs count against the capacity; ended ones do not.
        let claimed = try await store.claim(limit: 2, node: "node-a", now: base)
        #expect(try await store.submit(job("fourth", at: 3), capacity: 3) == .full)
        #expect(try await store.finish(job: claimed[0].id, node: "node-a", attempt: 1, outcome: .failed(error: "gone"), at: base))
        #expect(try await store.submit(job("fourth", at: 3), capacity: 3) == .queued)
        #expect(try await store.submit(job("fifth", at: 4), capacity: 3) == .full)
    }

    /// Claims take the oldest queued jobs first, mark them running for the node, count attempts.
    static func claimOrder(_ store: any ScanJobStore) async throws {
        try await submit(store, ["echo", "bravo", "delta", "alpha", "charlie"])
        #expect(try await store.claim(limit: 0, node: "node-a", now: base).isEmpty)

        let started = base.addingTimeInterval(60.25)
        let first = try await store.claim(limit: 2, node: "node-a", now: started)
        #expect(first.map(\.id) == ["echo", "bravo"])
        for claimed in first {
            #expect(claimed.state == .running && claimed.attempts == 1 && claimed.node == "node-a" && claimed.startedAt == started)
            #expect(claimed.progress == nil && claimed.finishedAt == nil)
            #expect(try await store.job(id: claimed.id) == claimed, "what a claim returns is what is stored")
        }
        let rest = try await store.claim(limit: 10, node: "node-b", now: started)
        #expect(rest.map(\.id) == ["delta", "alpha", "charlie"])
        #expect(rest.allSatisfy { $0.node == "node-b" && $0.attempts == 1 })
        #expect(try await store.claim(limit: 10, node: "node-b", now: started).isEmpty, "nothing queued is left")

        // Progress is cleared by a new attempt, and attempts go on counting.
        let progress = ScanJob.Progress(seconds: 12.5, duration: 60, framesHashed: 25)
        #expect(try await store.record(progress, job: "echo", node: "node-a", attempt: 1))
        #expect(try await store.requeueRunning(node: "node-a") == 2)
        let again = try await store.claim(limit: 10, node: "node-c", now: started.addingTimeInterval(5))
        #expect(again.map(\.id) == ["echo", "bravo"])
        #expect(again.allSatisfy { $0.attempts == 2 && $0.node == "node-c" && $0.progress == nil })
        #expect(again.allSatisfy { $0.startedAt == started.addingTimeInterval(5) })
    }

    /// An attempt that is no longer the job's records and finishes nothing.
    static func staleAttempt(_ store: any ScanJobStore) async throws {
        try await submit(store, ["clip"])
        let progress = ScanJob.Progress(seconds: 30, duration: nil, framesHashed: 60)
        #expect(try await store.record(progress, job: "clip", node: "node-a", attempt: 1) == false, "a queued job has no attempt")
        #expect(try await store.claim(limit: 1, node: "node-a", now: base).map(\.attempts) == [1])
        #expect(try await store.record(progress, job: "clip", node: "node-a", attempt: 1))
        #expect(try await store.job(id: "clip")?.progress == progress)
        #expect(try await store.record(progress, job: "clip", node: "node-b", attempt: 1) == false, "another node's")
        #expect(try await store.record(progress, job: "clip", node: "node-a", attempt: 2) == false, "another attempt's")
        #expect(try await store.record(progress, job: "nothing", node: "node-a", attempt: 1) == false)

        // node-a stops answering; its job is requeued and node-b takes it.
        #expect(try await store.requeueRunning(node: "node-a") == 1)
        let requeued = try #require(try await store.job(id: "clip"))
        #expect(requeued.state == .queued && requeued.progress == nil && requeued.attempts == 1)
        #expect(try await store.claim(limit: 1, node: "node-b", now: base.addingTimeInterval(10)).map(\.attempts) == [2])

        // node-a comes back and reports its old attempt: refused.
        let verdict: JSONValue = .object(["matched": .bool(false)])
        #expect(try await store.record(progress, job: "clip", node: "node-a", attempt: 1) == false)
        #expect(try await store.finish(job: "clip", node: "node-a", attempt: 1, outcome: .done(verdict: verdict), at: base) == false)
        #expect(try await store.finish(job: "clip", node: "node-b", attempt: 1, outcome: .failed(error: "old"), at: base) == false)
        #expect(try await store.job(id: "clip")?.state == .running)
        #expect(try await store.job(id: "clip")?.progress == nil, "the stale attempt's progress did not land")

        let ended = base.addingTimeInterval(40)
        #expect(try await store.finish(job: "clip", node: "node-b", attempt: 2, outcome: .done(verdict: verdict), at: ended))
        let done = try #require(try await store.job(id: "clip"))
        #expect(done.state == .done && done.verdict == verdict && done.finishedAt == ended && done.error == nil && done.node == "node-b")
        #expect(try await store.finish(job: "clip", node: "node-b", attempt: 2, outcome: .failed(error: "late"), at: ended) == false,
                "an ended job ends once")
        #expect(try await store.record(progress, job: "clip", node: "node-b", attempt: 2) == false)
        #expect(try await store.requeueRunning(node: "node-b") == 0, "an ended job is not requeued")
    }

    /// A requeued job goes back to its old place, ahead of jobs submitted after it.
    static func requeueKeepsOrder(_ store: any ScanJobStore) async throws {
        try await submit(store, ["j1", "j2", "j3", "j4", "j5"])
        #expect(try await store.claim(limit: 2, node: "node-a", now: base).map(\.id) == ["j1", "j2"])
        #expect(try await store.claim(limit: 1, node: "node-b", now: base).map(\.id) == ["j3"])
        #expect(try await store.requeueRunning(node: "node-a") == 2)
        #expect(try await store.requeueRunning(node: "node-a") == 0)
        #expect(try await store.job(id: "j3")?.state == .running, "another node's jobs stay")
        #expect(try await store.jobs(state: .queued, limit: 10).map(\.id) == ["j5", "j4", "j2", "j1"])
        #expect(try await store.claim(limit: 3, node: "node-c", now: base).map(\.id) == ["j1", "j2", "j4"])
    }

    /// Pruning deletes ended jobs that ended before the date, nothing queued or running.
    static func prune(_ store: any ScanJobStore) async throws {
        try await submit(store, ["p1", "p2", "p3", "p4"])
        _ = try await store.claim(limit: 4, node: "node-a", now: base)
        #expect(try await store.finish(job: "p1", node: "node-a", attempt: 1, outcome: .done(verdict: .null), at: base.addingTimeInterval(10)))
        #expect(try await store.finish(job: "p2", node: "node-a", attempt: 1, outcome: .failed(error: "x"), at: base.addingTimeInterval(20)))
        #expect(try await store.finish(job: "p3", node: "node-a", attempt: 1, outcome: .done(verdict: .null), at: base.addingTimeInterval(30)))
        try await submit(store, ["p5"])

        #expect(try await store.prune(finishedBefore: base.addingTimeInterval(10)) == 0, "before, not at")
        #expect(try await store.prune(finishedBefore: base.addingTimeInterval(20)) == 1)
        #expect(try await store.job(id: "p1") == nil)
        #expect(try await store.prune(finishedBefore: base.addingTimeInterval(1000)) == 2)
        #expect(try await store.jobs(state: nil, limit: 10).map(\.id) == ["p5", "p4"], "the queued and the running job stay")
        #expect(try await store.prune(finishedBefore: base.addingTimeInterval(1000)) == 0)
    }

    /// Listings: newest first, filtered by state, limited.
    static func listing(_ store: any ScanJobStore) async throws {
        #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
        try await submit(store, ["l1", "l2", "l3", "l4", "l5"])
        _ = try await store.claim(limit: 3, node: "node-a", now: base)
        #expect(try await store.finish(job: "l1", node: "node-a", attempt: 1, outcome: .failed(error: "unreadable"), at: base))
        #expect(try await store.finish(job: "l3", node: "node-a", attempt: 1, outcome: .done(verdict: .array([])), at: base))

        #expect(try await store.jobs(state: nil, limit: 10).map(\.id) == ["l5", "l4", "l3", "l2", "l1"])
        #expect(try await store.jobs(state: nil, limit: 2).map(\.id) == ["l5", "l4"])
        #expect(try await store.jobs(state: .queued, limit: 10).map(\.id) == ["l5", "l4"])
        #expect(try await store.jobs(state: .running, limit: 10).map(\.id) == ["l2"])
        #expect(try await store.jobs(state: .done, limit: 10).map(\.id) == ["l3"])
        #expect(try await store.jobs(state: .failed, limit: 10).map(\.id) == ["l1"])
        #expect(try await store.jobs(state: .queued, limit: 1).map(\.id) == ["l5"])
        let listed = try await store.jobs(state: nil, limit: 10)
        for job in listed { #expect(try await store.job(id: job.id) == job, "a listing holds the stored jobs") }
    }

    /// Callbacks and verdicts come back exactly as given, whatever JSON they hold.
    static func jsonRoundTrip(_ store: any ScanJobStore) async throws {
        let callback: JSONValue = .object([
            "ticket": .string("T-1/ä漢字 \u{1F3AC}"),
            "nul": .string("a\u{0}b"),
            "nested": .object(["z": .array([.number(1), .number(-2.5), .number(1e300), .null, .bool(true)]), "a": .object([:])]),
            "empty": .string(""),
            "ids": .array([.integer(9_007_199_254_740_993), .integer(.max), .integer(.min)]),
        ])
        let verdict: JSONValue = .object([
            "matched": .bool(true),
            "matches": .array([.object(["bank": .string("videos"), "distance": .number(12), "first_seen": .number(3.25)])]),
            "media": .object(["duration": .number(61.5), "codec": .string("h264")]),
        ])
        let scalar = job("scalar", callback: .string("just a string"))
        let plain = job("plain")
        let rich = job("rich", callback: callback)
        for submitted in [rich, scalar, plain] { #expect(try await store.submit(submitted, capacity: 10) == .queued) }
        #expect(try await store.submit(rich, capacity: 10) == .exists(rich))
        #expect(try await store.job(id: "rich")?.callback == callback)
        #expect(try await store.job(id: "scalar")?.callback == .string("just a string"))
        #expect(try await store.job(id: "plain")?.callback == nil)

        let claimed = try await store.claim(limit: 3, node: "node-a", now: base)
        #expect(claimed.map(\.callback) == [callback, .string("just a string"), nil], "a claim carries the callback to the reader")
        let ended = base.addingTimeInterval(90)
        #expect(try await store.finish(job: "rich", node: "node-a", attempt: 1, outcome: .done(verdict: verdict), at: ended))
        let message = "source: HTTP 403 «forbidden»\nline two"
        #expect(try await store.finish(job: "scalar", node: "node-a", attempt: 1, outcome: .failed(error: message), at: ended))

        var expected = rich
        expected.state = .done
        expected.startedAt = base
        expected.finishedAt = ended
        expected.attempts = 1
        expected.node = "node-a"
        expected.verdict = verdict
        #expect(try await store.job(id: "rich") == expected)
        let failed = try #require(try await store.job(id: "scalar"))
        #expect(failed.state == .failed && failed.error == message && failed.verdict == nil)
    }

    /// Several callers claiming at once (two on each handle) never take the same job, and
    /// between them take every one.
    static func concurrentClaims(_ first: any ScanJobStore, _ second: any ScanJobStore) async throws {
        let ids = (0..<240).map { String(format: "job-%03d", $0) }
        for id in ids { #expect(try await first.submit(job(id), capacity: 1000) == .queued) }
        let claimers = [(first, "node-a"), (first, "node-b"), (second, "node-c"), (second, "node-d")]
        let taken = try await withThrowingTaskGroup(of: [String].self) { group in
            for (store, node) in claimers {
                group.addTask {
                    var claimed: [String] = []
                    // Small and varying batches, so the claims interleave many times.
                    var limit = 1
                    while true {
                        let batch = try await store.claim(limit: limit, node: node, now: base)
                        if batch.isEmpty { return claimed }
                        #expect(batch.allSatisfy { $0.node == node && $0.attempts == 1 }, "\(batch.map(\.id)) claimed before")
                        #expect(batch.map(\.id) == batch.map(\.id).sorted(), "a claim is in queue order")
                        claimed += batch.map(\.id)
                        limit = limit % 3 + 1
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = taken.flatMap { $0 }
        #expect(all.count == ids.count, "no job taken twice: \(all.count) claims of \(ids.count) jobs")
        #expect(Set(all) == Set(ids), "every job taken")
        #expect(try await first.jobs(state: .queued, limit: 1000).isEmpty)
        #expect(try await first.jobs(state: .running, limit: 1000).allSatisfy { $0.attempts == 1 })
    }

    /// Several callers submitting at once (four on each handle): the capacity holds between
    /// them, and one id is queued once. Each round starts from an empty queue, so the last free
    /// place is raced for many times.
    static func concurrentSubmissions(_ first: any ScanJobStore, _ second: any ScanJobStore) async throws {
        let (capacity, perCaller) = (4, 3)
        let callers = [first, first, first, first, second, second, second, second]
        for round in 0..<15 {
            let outcomes = try await withThrowingTaskGroup(of: [ScanSubmission].self) { group in
                for (number, store) in callers.enumerated() {
                    group.addTask {
                        // Every caller submits one shared id first (a client retrying through
                        // several nodes), then jobs of its own.
                        var outcomes = [try await store.submit(job("shared-\(round)"), capacity: capacity)]
                        for index in 0..<perCaller {
                            outcomes.append(try await store.submit(job("r\(round)-c\(number)-\(index)"), capacity: capacity))
                        }
                        return outcomes
                    }
                }
                return try await group.reduce(into: [ScanSubmission]()) { $0 += $1 }
            }
            let queued = outcomes.filter { $0 == .queued }.count
            let existing = outcomes.filter { if case .exists = $0 { true } else { false } }.count
            #expect(queued == capacity, "round \(round): \(queued) queued with room for \(capacity)")
            #expect(existing == callers.count - 1, "round \(round): the shared id is queued once")
            #expect(outcomes.count == callers.count * (perCaller + 1))
            let active = try await first.jobs(state: .queued, limit: 1000)
            #expect(active.count == capacity && active.contains { $0.id == "shared-\(round)" }, "round \(round)")
            try await empty(first)
        }
    }

    /// Ends every queued job and prunes it: an empty queue again, through the contract alone.
    static func empty(_ store: any ScanJobStore) async throws {
        for claimed in try await store.claim(limit: 1000, node: "sweeper", now: base) {
            let ended = try await store.finish(
                job: claimed.id, node: "sweeper", attempt: claimed.attempts, outcome: .failed(error: "swept"), at: base)
            #expect(ended)
        }
        _ = try await store.prune(finishedBefore: base.addingTimeInterval(1))
        #expect(try await store.jobs(state: nil, limit: 10).isEmpty)
    }

    /// Every behaviour of the contract, each on an empty queue.
    static func behaviours(fresh: Fresh, pair: FreshPair) async throws {
        try await submission(fresh())
        try await claimOrder(fresh())
        try await staleAttempt(fresh())
        try await requeueKeepsOrder(fresh())
        try await prune(fresh())
        try await listing(fresh())
        try await jsonRoundTrip(fresh())
        var (first, second) = try await pair()
        try await concurrentClaims(first, second)
        (first, second) = try await pair()
        try await concurrentSubmissions(first, second)
    }

    // MARK: Tests

    @Test("SQLite: every behaviour of the contract")
    func sqlite() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var made = 0
        // Each queue in a database of its own; a pair is two handles to one.
        let database = {
            made += 1
            return try Outbox(path: directory.appendingPathComponent("vigil-\(made).sqlite").path).database
        }
        try await Self.behaviours(
            fresh: { try LocalScanJobs(database: database()) },
            pair: {
                let shared = try database()
                return (try LocalScanJobs(database: shared), try LocalScanJobs(database: shared))
            })
        let store = try LocalScanJobs(database: database())
        try await Self.submit(store, ["solo"])
        _ = try await store.claim(limit: 1, node: "node-a", now: Self.base)
        #expect(try await store.requeueAbandoned(staleAfter: 0) == 0, "a single node has no other nodes to take over from")
        #expect(try await store.job(id: "solo")?.state == .running)
    }

    @Test("PostgreSQL: every behaviour of the contract")
    func postgres() async throws {
        try await Harness.withServer(handles: 2) { databases, _ in
            try await ClusterSchema.migrate(databases[0])
            let empty = {
                try await Harness.execute(databases[0], "TRUNCATE vigil_scan_jobs RESTART IDENTITY")
            }
            try await Self.behaviours(
                fresh: {
                    try await empty()
                    return FleetScanJobs(database: databases[0])
                },
                pair: {
                    // Two nodes: two connection pools, so the claims really run side by side.
                    try await empty()
                    return (FleetScanJobs(database: databases[0]), FleetScanJobs(database: databases[1]))
                })
        }
    }

    @Test("PostgreSQL: the jobs of nodes that stopped answering go back to the queue, in their place; live nodes keep theirs")
    func abandoned() async throws {
        try await Harness.withServer { databases, _ in
            let database = databases[0]
            try await ClusterSchema.migrate(database)
            // Heartbeats by the database's clock, as nodes write them.
            try await Harness.execute(database, """
                INSERT INTO vigil_nodes (id, version, started_at, last_heartbeat, max_streams, state) VALUES
                    ('live', 'test', now(), now(), 10, 'up'),
                    ('draining', 'test', now(), now() - interval '20 seconds', 10, 'draining'),
                    ('stale', 'test', now(), now() - interval '1 hour', 10, 'up'),
                    ('stopped', 'test', now(), now(), 10, 'gone')
                """)
            let store = FleetScanJobs(database: database)
            try await Self.submit(store, ["stale-1", "live-1", "stopped-1", "unknown-1", "draining-1", "stale-2", "stale-done", "later"])
            for (id, node) in [
                ("stale-1", "stale"), ("live-1", "live"), ("stopped-1", "stopped"), ("unknown-1", "unknown"),
                ("draining-1", "draining"), ("stale-2", "stale"), ("stale-done", "stale"),
            ] {
                #expect(try await store.claim(limit: 1, node: node, now: Self.base).map(\.id) == [id])
            }
            let verdict: JSONValue = .object(["matched": .bool(false)])
            #expect(try await store.finish(job: "stale-done", node: "stale", attempt: 1, outcome: .done(verdict: verdict), at: Self.base))
            let progress = ScanJob.Progress(seconds: 5, duration: 10, framesHashed: 10)
            #expect(try await store.record(progress, job: "stale-2", node: "stale", attempt: 1))

            #expect(try await store.requeueAbandoned(staleAfter: 600) == 4, "a stale heartbeat, a stopped node, a node never seen")
            #expect(try await store.requeueAbandoned(staleAfter: 600) == 0)
            for id in ["live-1", "draining-1"] {
                #expect(try await store.job(id: id)?.state == .running, "\(id): its node is alive")
            }
            #expect(try await store.job(id: "stale-done")?.state == .done, "an ended job stays ended")
            #expect(try await store.job(id: "stale-2")?.progress == nil, "the lost attempt's progress is cleared")

            // The stopped node's attempt is refused from now on; the jobs are taken in their old
            // order, ahead of the job submitted after them.
            #expect(try await store.finish(job: "stale-1", node: "stale", attempt: 1, outcome: .done(verdict: verdict), at: Self.base) == false)
            let retaken = try await store.claim(limit: 10, node: "live", now: Self.base.addingTimeInterval(60))
            #expect(retaken.map(\.id) == ["stale-1", "stopped-1", "unknown-1", "stale-2", "later"])
            #expect(retaken.map(\.attempts) == [2, 2, 2, 2, 1])

            // A node is judged stale by the window given.
            try await Harness.execute(database, "UPDATE vigil_nodes SET last_heartbeat = now() WHERE id = 'live'")
            #expect(try await store.requeueAbandoned(staleAfter: 10) == 1, "draining's heartbeat is 20 s old")
            #expect(try await store.jobs(state: .running, limit: 10).allSatisfy { $0.node == "live" })
            #expect(try await store.job(id: "draining-1")?.state == .queued)
        }
    }
}
