import Foundation
import Logging
import Synchronization

/// Watches what media servers publish: one polling task per `discovery` source. A stream that
/// starts publishing is watched at the next poll; one that stops is released at the next poll.
/// Where they are watched is the ``DiscoveredStreams`` given: this node, or the fleet's table.
/// A source that cannot be polled is reported (log, metric, ``statuses()``) and its streams stay
/// watched: a server's statistics page going down says nothing about its streams.
final class StreamDiscovery: Sendable {
    private let client: DiscoveryClient
    private let target: any DiscoveredStreams
    private let metrics: DaemonMetrics
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var pollers: [String: Poller] = [:]
        var statuses: [String: DiscoveryStatus] = [:]
        var order: [String] = []
        var maxStreams = 0
        var stopped = false
    }

    private struct Poller {
        var spec: DiscoverySpec
        var task: Task<Void, Never>
    }

    init(
        client: DiscoveryClient, target: any DiscoveredStreams, metrics: DaemonMetrics, clock: any Clock<Duration>, logger: Logger
    ) {
        self.client = client
        self.target = target
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// Polls exactly `specs` from now on: a source removed stops and releases its streams, a new
    /// or changed one starts polling at once.
    func follow(_ specs: [DiscoverySpec], maxStreams: Int) async {
        let (gone, new) = state.withLock { state -> ([Poller], [DiscoverySpec]) in
            state.maxStreams = maxStreams
            guard !state.stopped else { return ([], []) }
            let gone = state.pollers.values.filter { poller in !specs.contains(poller.spec) }
            for poller in gone {
                state.pollers[poller.spec.name] = nil
                state.statuses[poller.spec.name] = nil
            }
            let new = specs.filter { state.pollers[$0.name] == nil }
            state.order = specs.map(\.name)
            return (gone, new)
        }
        for poller in gone {
            poller.task.cancel()
            await poller.task.value
            // A changed source keeps its streams: its new poller's first poll restarts those
            // whose play URL changed and leaves the rest watching.
            guard !specs.contains(where: { $0.name == poller.spec.name }) else { continue }
            await target.release(source: poller.spec.name)
            metrics.discoveryUp(source: poller.spec.name).set(0)
            metrics.discoveryStreams(source: poller.spec.name).set(0)
            logger.notice("discovery source removed; its streams are released", metadata: ["source": "\(poller.spec.name)"])
        }
        // A new source is down with nothing found until its first poll answers; its series exist
        // from the start, so a dashboard shows zero rather than nothing.
        for spec in new {
            metrics.discoveryUp(source: spec.name).set(0)
            metrics.discoveryStreams(source: spec.name).set(0)
        }
        state.withLock { state in
            guard !state.stopped else { return }
            for spec in new {
                state.statuses[spec.name] = DiscoveryStatus(spec: spec)
                state.pollers[spec.name] = Poller(spec: spec, task: Task { await self.poll(spec) })
            }
        }
    }

    /// Stops polling for good (the drain's first step); the supervisor stops the streams.
    func stop() async {
        let pollers = state.withLock { state -> [Poller] in
            state.stopped = true
            defer { state.pollers = [:] }
            return Array(state.pollers.values)
        }
        for poller in pollers { poller.task.cancel() }
        for poller in pollers { await poller.task.value }
    }

    /// Every source, in config order.
    func statuses() -> [DiscoveryStatus] {
        state.withLock { state in state.order.compactMap { state.statuses[$0] } }
    }

    /// Polls `spec` at once, then every `interval`, until cancelled.
    private func poll(_ spec: DiscoverySpec) async {
        await pollOnce(spec)
        await repeatEvery(.milliseconds(Int(spec.interval * 1000)), on: self.clock) {
            await self.pollOnce(spec)
            return !Task.isCancelled
        }
    }

    private func pollOnce(_ spec: DiscoverySpec) async {
        let polledAt = Date()
        // In a fleet, a node polls only when it takes the turn: the media server is asked about
        // once per interval, not once per node. A node that has not seen the source answer
        // always takes it, so each node learns of an outage and of the recovery by itself.
        let turn = spec.interval / 2
        let healthy = state.withLock { $0.statuses[spec.name]?.healthy ?? false }
        if let taken = await target.pollTaken(of: spec.name, at: polledAt, freshness: healthy ? turn : 0) {
            guard !Task.isCancelled else { return }
            shared(spec, taken)
            return
        }
        let outcome: DiscoveryOutcome
        do throws(DiscoveryError) {
            let published = try await client.published(spec)
            guard !Task.isCancelled else { return }
            outcome = try await target.follow(spec, published: published, polledAt: polledAt, maxStreams: state.withLock { $0.maxStreams })
        } catch {
            guard !Task.isCancelled else { return }
            // Handing the turn back lets the other nodes poll at once and see the outage too.
            await target.turnFailed(of: spec.name, takenAt: polledAt, freshness: turn)
            failed(spec, error)
            return
        }
        answered(spec, outcome: outcome, polledAt: polledAt)
    }

    /// Another node holds the turn: the fleet's table holds what the latest applied poll found.
    /// This node's view of the source's health stays as its own last poll left it (a failed turn
    /// is handed back, and this node then polls).
    private func shared(_ spec: DiscoverySpec, _ taken: PollTurn) {
        state.withLock { state in
            state.statuses[spec.name]?.lastPoll = taken.polledAt
            state.statuses[spec.name]?.streams = taken.watched
        }
        metrics.discoveryStreams(source: spec.name).set(taken.watched)
    }

    /// This node's poll answered: the source is healthy, and what it changed is logged.
    private func answered(_ spec: DiscoverySpec, outcome: DiscoveryOutcome, polledAt: Date) {
        for id in outcome.stopped {
            logger.info("discovered stream no longer published; released", metadata: ["source": "\(spec.name)", "stream": "\(id)"])
        }
        for id in outcome.started {
            logger.info("discovered stream watched", metadata: ["source": "\(spec.name)", "stream": "\(id)"])
        }
        let refused = outcome.refused
        let (recovered, newlyRefused) = state.withLock { state -> (Int, [String]) in
            guard var status = state.statuses[spec.name] else { return (0, []) }
            let previous = Set(status.refused.map(\.stream))
            let recovered = status.failures
            status.healthy = true
            status.failures = 0
            status.lastError = nil
            status.lastPoll = polledAt
            if !outcome.superseded {
                status.streams = outcome.watched
                status.refused = refused.keys.sorted().map { DiscoveryStatus.Refusal(stream: $0, reason: refused[$0] ?? "") }
            }
            state.statuses[spec.name] = status
            return (recovered, refused.keys.filter { !previous.contains($0) }.sorted())
        }
        if recovered > 0 {
            logger.notice("discovery source answers again", metadata: ["source": "\(spec.name)", "failed_polls": "\(recovered)"])
        }
        for id in newlyRefused {
            logger.warning("published stream not watched", metadata: ["source": "\(spec.name)", "stream": "\(id)", "reason": "\(refused[id] ?? "")"])
        }
        metrics.discoveryUp(source: spec.name).set(1)
        if !outcome.superseded { metrics.discoveryStreams(source: spec.name).set(outcome.watched) }
    }

    /// A failed poll: reported, and nothing watched changes.
    private func failed(_ spec: DiscoverySpec, _ error: DiscoveryError) {
        let first = state.withLock { state -> Bool in
            guard var status = state.statuses[spec.name] else { return false }
            status.failures += 1
            status.healthy = false
            status.lastError = error.reason
            status.lastPoll = Date()
            state.statuses[spec.name] = status
            return status.failures == 1
        }
        metrics.discoveryUp(source: spec.name).set(0)
        metrics.discoveryPollFailures(source: spec.name).increment()
        // Once per outage: a server down for an hour does not fill the log.
        if first {
            logger.error("discovery source cannot be polled; its streams stay watched", metadata: ["source": "\(spec.name)", "error": "\(error.reason)"])
        }
    }
}
