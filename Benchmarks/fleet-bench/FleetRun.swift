import Foundation
import Logging
import VigilDaemon
import VigilTestSupport

/// The fleet through its phases, on a running server: cold start, nodes killed, nodes joining,
/// a steady-state window, nodes leaving gracefully. Phases run one after another, each from the
/// fleet the previous one left.
final class FleetRun {
    private let options: FleetBenchOptions
    private let server: PostgresServer
    private let databases: [ClusterDatabase]
    private let observer: FleetObserver
    private let config: ClusterConfig
    private let log = RoundLog()
    private let clock = ContinuousClock()
    /// Every node made so far, live or not, so that all are stopped at the end.
    private var nodes: [SimulatedNode] = []
    /// The nodes running rounds.
    private var live: [SimulatedNode] = []
    /// How often the observer looks at the table while a phase settles.
    private let pollInterval = Duration.milliseconds(100)

    /// A run of `options` whose nodes share `databases` (handles to `server`).
    init(options: FleetBenchOptions, server: PostgresServer, databases: [ClusterDatabase], observer: FleetObserver) {
        self.options = options
        self.server = server
        self.databases = databases
        self.observer = observer
        config = ClusterConfig(database: databases[0].url, nodeID: "", leaseTTL: options.ttl)
    }

    /// Seconds between two rounds of a node.
    var roundInterval: Double { config.roundInterval }
    /// Most streams a node holds.
    var maxStreams: Int { config.maxStreams }
    private var interval: Duration { .milliseconds(Int(config.roundInterval * 1000)) }
    /// How long nothing may move for a phase to count as settled: five rounds.
    private var quietPeriod: Duration { interval * 5 }

    // MARK: Setup

    /// Migrates the schema and writes the config streams, as the first node to start does;
    /// returns how long the stream upsert took and the table it made.
    func prepare() async throws -> (seconds: Double, table: FleetObserver.StreamTable) {
        try await ClusterSchema.migrate(databases[0])
        try await observer.enableStatementStatistics()
        let streams = (0..<options.streams).map { index in
            StreamSpec(id: String(format: "cam-%05d", index), url: "udp://239.1.\(index / 250).\(index % 250 + 1):5000")
        }
        let start = clock.now
        try await StreamLeases(database: databases[0], node: "fleet-bench-setup", ttl: options.ttl).replaceConfigStreams(streams)
        let took = SimulatedNode.seconds(clock.now - start)
        let stored = try await observer.streamCount()
        guard stored == options.streams else {
            throw FleetBenchError("the table holds \(stored) streams after the upsert, not \(options.streams)")
        }
        return (took, try await observer.streamTable())
    }

    /// Stops every node's rounds (without releasing: the server goes next).
    func stopAll() async {
        for node in nodes { await node.kill() }
    }

    // MARK: Phases

    /// (a) Every node registers, then all start their rounds within one interval: time until
    /// every stream is held.
    func coldStart() async throws -> PhaseResult {
        let starting = makeNodes(options.nodes)
        for node in starting { try await node.register() }
        let start = clock.now
        self.start(starting)
        return try await settle("(a) cold start", since: start, before: nil)
    }

    /// (b) `churn` nodes stop without giving anything back: time until others hold their
    /// streams, which includes the TTL the leases still run.
    func kill() async throws -> PhaseResult {
        let victims = pick(options.churn)
        let before = try await observer.holders()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for victim in victims { group.addTask { await victim.kill() } }
        }
        return try await settle("(b) \(victims.count) killed", since: start, before: before)
    }

    /// (c) `churn` new nodes register and start: time until the fleet is balanced, and how many
    /// streams moved to get there.
    func join() async throws -> PhaseResult {
        let before = try await observer.holders()
        let joining = makeNodes(options.churn)
        let start = clock.now
        for node in joining { try await node.register() }
        self.start(joining)
        return try await settle("(c) \(joining.count) joined", since: start, before: before, nothingOrphaned: true)
    }

    /// (e) `churn` nodes stop their rounds and release every lease (a graceful shutdown): time
    /// until others hold their streams.
    func leave() async throws -> PhaseResult {
        let leaving = pick(options.churn)
        let before = try await observer.holders()
        for node in leaving { await node.kill() }
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in leaving { group.addTask { try await node.leave() } }
            try await group.waitForAll()
        }
        return try await settle("(e) \(leaving.count) released", since: start, before: before)
    }

    /// (d) The fleet left alone for `options.steadySeconds`: statements, transactions, round
    /// latency and CPU over the window.
    func steady() async throws -> SteadyResult {
        let dataDirectory = server.directory.appendingPathComponent("data").path
        let tableBefore = try await observer.streamTable()
        let commitsBefore = try await observer.committedTransactions()
        try await observer.resetStatementStatistics()
        let (postgresBefore, benchBefore, machineBefore) = (
            ProcessCPU.postgres(dataDirectory: dataDirectory), ProcessCPU.benchmark(), ProcessCPU.machine())
        let start = clock.now
        try await Task.sleep(for: .milliseconds(Int(options.steadySeconds * 1000)))
        let end = clock.now
        let (postgresAfter, benchAfter, machineAfter) = (
            ProcessCPU.postgres(dataDirectory: dataDirectory), ProcessCPU.benchmark(), ProcessCPU.machine())
        let serverStatements = try await observer.statementStatistics(top: 6)
        let commitsAfter = try await observer.committedTransactions()
        let tableAfter = try await observer.streamTable()
        let seconds = SimulatedNode.seconds(end - start)
        let views = state(try await observer.holdings()).views()
        let machineTotal = machineAfter.total - machineBefore.total
        return SteadyResult(
            nodes: live.count, seconds: seconds, rounds: log.records(in: start..<end),
            committed: commitsAfter - commitsBefore,
            postgresCPU: postgresAfter - postgresBefore, benchCPU: benchAfter - benchBefore,
            machineBusy: machineTotal > 0 ? (machineAfter.busy - machineBefore.busy) / machineTotal : 0,
            readTwice: views.readTwice, unread: views.unread,
            tableBefore: tableBefore, tableAfter: tableAfter, serverStatements: serverStatements)
    }

    // MARK: Settling

    /// Watches the table from `start` until every stream is held by a live node and no round
    /// has taken or offered a stream for five round intervals (or the settle timeout passes),
    /// noting when every stream was first held and when the fleet was first balanced.
    /// `before` (who held what when the phase began) gives the streams that moved; with
    /// `nothingOrphaned` the phase starts with every stream held, so that time is not reported.
    private func settle(
        _ name: String, since start: ContinuousClock.Instant, before: [String: String]?, nothingOrphaned: Bool = false
    ) async throws -> PhaseResult {
        var result = PhaseResult(name: name, nodes: live.count, measuresAllHeld: !nothingOrphaned)
        let deadline = start.advanced(by: .milliseconds(Int(options.settleTimeout * 1000)))
        var allHeldAt: ContinuousClock.Instant?
        while true {
            let looked = clock.now
            let state = state(try await observer.holdings())
            let views = state.views()
            result.readTwice = max(result.readTwice, views.readTwice)
            result.unread = max(result.unread, views.unread)
            result.fewest = state.fewest
            result.most = state.most
            result.target = state.target
            if state.allHeld, allHeldAt == nil {
                allHeldAt = looked
                if result.measuresAllHeld { result.allHeld = SimulatedNode.seconds(looked - start) }
            }
            if state.balanced, result.balanced == nil { result.balanced = SimulatedNode.seconds(looked - start) }
            if let allHeldAt, looked - max(log.lastMove ?? start, allHeldAt) >= quietPeriod {
                result.settled = true
                break
            }
            if looked >= deadline { break }
            try await Task.sleep(for: pollInterval)
        }
        let end = clock.now
        let rounds = log.records(in: start..<end)
        result.taken = rounds.reduce(0) { $0 + $1.taken }
        result.roundErrors = rounds.count { $0.failed }
        if result.settled {
            // Nothing moved in the quiet period: a claim then is a node below its share asking
            // for streams nobody offers, every round, for as long as the fleet stays like this.
            let quiet = log.records(in: end.advanced(by: .zero - quietPeriod)..<end)
            result.idleClaimsPerSecond = Double(quiet.count { $0.claimed }) / SimulatedNode.seconds(quietPeriod)
        }
        if let lastMove = log.lastMove, lastMove > start { result.lastMove = SimulatedNode.seconds(lastMove - start) }
        if let before {
            let after = try await observer.holders()
            result.moved = after.count { stream, node in before[stream] != node }
        }
        return result
    }

    // MARK: Nodes

    private func state(_ counts: [String: Int]) -> FleetState {
        FleetState(counts: counts, live: live, streams: options.streams, maxStreams: config.maxStreams)
    }

    /// `count` new nodes, spread over the database handles.
    private func makeNodes(_ count: Int) -> [SimulatedNode] {
        let made = (nodes.count..<(nodes.count + count)).map { index in
            var node = config
            node.nodeID = String(format: "sim-%03d", index)
            return SimulatedNode(config: node, database: databases[index % databases.count], log: log)
        }
        nodes += made
        return made
    }

    /// Starts the rounds of `starting` at random moments within one interval, as nodes started
    /// independently would be, and counts them live.
    private func start(_ starting: [SimulatedNode]) {
        live += starting
        for node in starting {
            node.start(after: .milliseconds(Int.random(in: 0..<Int(config.roundInterval * 1000))))
        }
    }

    /// `count` live nodes at random, no longer counted live.
    private func pick(_ count: Int) -> [SimulatedNode] {
        let picked = Array(live.shuffled().prefix(count))
        let ids = Set(picked.map(\.id))
        live.removeAll { ids.contains($0.id) }
        return picked
    }
}
