import Foundation
import Logging
import Synchronization

/// This node's part in the fleet: every lease round (``ClusterConfig/roundInterval``) it renews
/// its leases and heartbeat, takes a census, claims or offers streams as ``LeasePlanner`` says,
/// and makes the stream supervisor read exactly the streams it holds.
///
/// When the database cannot be reached, the node keeps reading the streams it holds (a blind
/// spot is worse than a stream briefly read by two nodes) and tries again every round; once
/// another node's claim has taken a stream, the next successful renewal no longer returns it and
/// the stream stops here.
public final class FleetCoordinator: Sendable {
    /// The lease statements of this node.
    public let leases: StreamLeases
    /// The statements of one round, with this node's planner.
    private let leaseRound: LeaseRound
    private let interval: Duration
    private let supervisor: StreamSupervisor
    private let streamRemoved: @Sendable (String) async -> Void
    private let metrics: DaemonMetrics
    private let logger: Logger
    /// Whether the last round reached the database (to log changes, not every failure).
    private let reachable = Atomic<Bool>(true)
    /// When (in ``elapsed`` seconds) claims resume after the database returns: every node's
    /// heartbeat went stale in the outage, and the first node back would otherwise count itself
    /// alone and take every stream, only to hand them back. For one lease TTL after its first
    /// round back, a node only renews: a node not back by then is treated as dead, as the TTL
    /// promises. Kept in time, not rounds: after slow failed rounds, the rounds missed run back
    /// to back.
    private let claimsResumeAt = Mutex<Double>(0)
    private let ttl: Double
    private let clock: any Clock<Duration>
    /// Seconds on `clock` since the coordinator was made.
    private let elapsed: @Sendable () -> Double

    /// A coordinator for the node of `leases`, starting and stopping streams on `supervisor`;
    /// `streamRemoved` is told of each stream stopped here. Rounds and the claim hold-off after
    /// an outage go by `clock`.
    public init(
        leases: StreamLeases, config: ClusterConfig, supervisor: StreamSupervisor,
        streamRemoved: @escaping @Sendable (String) async -> Void, metrics: DaemonMetrics,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.leases = leases
        leaseRound = LeaseRound(leases: leases, planner: LeasePlanner(maxStreams: config.maxStreams))
        interval = .milliseconds(Int(config.roundInterval * 1000))
        ttl = config.leaseTTL
        self.clock = clock
        elapsed = secondsElapsed(on: clock)
        self.supervisor = supervisor
        self.streamRemoved = streamRemoved
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether the last lease round reached the database.
    public var isReachable: Bool { reachable.load(ordering: .acquiring) }

    /// Migrates the schema, registers the node, publishes the config streams and runs the first
    /// round, so that the node reads its share before its API answers.
    public func join(version: String, maxStreams: Int, configStreams: [StreamSpec]) async throws(ClusterError) {
        try await ClusterSchema.migrate(leases.database)
        try await leases.register(version: version, maxStreams: maxStreams)
        try await leases.replaceConfigStreams(configStreams)
        await round()
    }

    /// Lease rounds every round interval until the calling task is cancelled.
    public func run() async {
        await repeatEvery(interval, on: self.clock) {
            await self.round()
            return !Task.isCancelled
        }
    }

    /// One round: renew, census, claim or offer, then start and stop streams to match.
    public func round() async {
        do {
            let now = elapsed()
            let (ttl, backFromOutage) = (ttl, !reachable.load(ordering: .acquiring))
            let holdingOff = claimsResumeAt.withLock { resumeAt in
                if backFromOutage { resumeAt = now + ttl }
                return now < resumeAt
            }
            let outcome = try await leaseRound.run(claims: !holdingOff)
            let (specs, census, plan) = (outcome.held, outcome.census, outcome.plan)
            await reconcile(specs)
            metrics.fleetRounds(result: "ok").increment()
            metrics.fleetStreamsHeld.set(specs.count)
            metrics.fleetStreamsUnassigned.set(max(0, census.orphaned - plan.claim))
            metrics.fleetNodesUp.set(census.nodesUp)
            if !reachable.exchange(true, ordering: .acquiringAndReleasing) {
                logger.notice("fleet database reachable again", metadata: ["database": "\(leases.database.url)", "streams": "\(specs.count)"])
            }
        } catch {
            metrics.fleetRounds(result: "error").increment()
            if reachable.exchange(false, ordering: .acquiringAndReleasing) {
                logger.error("cannot reach the fleet database; keeping the streams held and retrying every round", metadata: [
                    "error": "\(error)", "streams": "\(supervisor.specs.count)",
                ])
            }
        }
    }

    /// Graceful shutdown begins: gives every stream lease back at once, so other nodes take the
    /// streams within a round instead of a TTL, and marks the node draining (out of fair shares).
    public func leave() async {
        do {
            try await leases.release(state: "draining")
            logger.notice("fleet leases released", metadata: ["node": "\(leases.node)"])
        } catch {
            logger.error("cannot release fleet leases; other nodes take the streams when they expire", metadata: ["error": "\(error)"])
        }
    }

    /// Graceful shutdown ends (delivery stopped): gives the sinks' delivery leases back and marks
    /// the node gone.
    public func depart() async {
        do {
            try await leases.releaseSinks()
        } catch {
            logger.error("cannot release sink leases; other nodes deliver when they expire", metadata: ["error": "\(error)"])
        }
    }

    /// Stops the streams no longer held (or changed) and starts the ones newly held.
    private func reconcile(_ held: [StreamSpec]) async {
        let wanted = Dictionary(held.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Stops wait for their readers to end (an open in progress can take its timeout): all at
        // once, so the next renewal is not held up by one slow source after another.
        let (supervisor, streamRemoved) = (supervisor, streamRemoved)
        await withTaskGroup(of: Void.self) { group in
            for running in supervisor.specs where wanted[running.id] != running {
                group.addTask {
                    await supervisor.stop(id: running.id)
                    await streamRemoved(running.id)
                }
            }
        }
        for spec in held where supervisor.spec(id: spec.id) == nil {
            supervisor.start(spec)
        }
    }
}
