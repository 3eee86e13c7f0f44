import Synchronization
import VigilDaemon

/// A fleet node without media: the real lease rounds (``LeaseRound``) every round interval on a
/// task of its own, as ``FleetCoordinator`` runs them, and the set of streams it would read.
final class SimulatedNode: Sendable {
    /// Its node id.
    let id: String
    /// Its lease statements.
    let leases: StreamLeases
    private let planner: LeasePlanner
    private let interval: Duration
    private let log: RoundLog
    private let state = Mutex<(rounds: Task<Void, Never>?, held: Set<String>)>((nil, []))

    /// A node of `config` whose statements go through `database` (shared with other nodes) and
    /// whose rounds are recorded in `log`.
    init(config: ClusterConfig, database: ClusterDatabase, log: RoundLog) {
        id = config.nodeID
        leases = StreamLeases(database: database, node: config.nodeID, ttl: config.leaseTTL)
        planner = LeasePlanner(maxStreams: config.maxStreams)
        interval = .milliseconds(Int(config.roundInterval * 1000))
        self.log = log
    }

    /// The streams it held after its last successful round: the ones it would read.
    var held: Set<String> { state.withLock { $0.held } }

    /// Records the node as up, as a starting node does before its first round.
    func register() async throws(ClusterError) {
        try await leases.register(version: "fleet-bench", maxStreams: planner.maxStreams)
    }

    /// Starts the rounds: the first after `delay`, then one every round interval.
    func start(after delay: Duration) {
        let rounds = Task { await self.runRounds(after: delay) }
        state.withLock { $0.rounds = rounds }
    }

    /// Stops the rounds and gives nothing back, as `kill -9` would: other nodes take the streams
    /// once the leases run out. A round already under way finishes (its statements are sent).
    func kill() async {
        guard let rounds = state.withLock({ $0.rounds }) else { return }
        rounds.cancel()
        await rounds.value
    }

    /// A graceful shutdown, as ``FleetCoordinator/leave()`` after its rounds stop: every lease
    /// given back at once and the node marked gone.
    func leave() async throws(ClusterError) {
        await kill()
        try await leases.release(state: "gone")
    }

    /// Rounds on a fixed schedule until cancelled; a round that overruns its interval skips the
    /// ticks it missed rather than running late rounds back to back, like a timer.
    private func runRounds(after delay: Duration) async {
        let clock = ContinuousClock()
        var next = clock.now.advanced(by: delay)
        while true {
            do { try await clock.sleep(until: next) } catch { return }
            await round()
            let now = clock.now
            repeat { next = next.advanced(by: interval) } while next <= now
        }
    }

    private func round() async {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let outcome = try await LeaseRound(leases: leases, planner: planner).run()
            let held = Set(outcome.held.map(\.id))
            let before = state.withLock { state in
                defer { state.held = held }
                return state.held
            }
            let end = clock.now
            log.append(RoundRecord(
                end: end, seconds: Self.seconds(end - start), failed: false,
                claimed: outcome.plan.claim > 0, offered: outcome.plan.offer > 0, taken: held.subtracting(before).count))
        } catch {
            let end = clock.now
            log.append(RoundRecord(end: end, seconds: Self.seconds(end - start), failed: true, claimed: false, offered: false, taken: 0))
        }
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
