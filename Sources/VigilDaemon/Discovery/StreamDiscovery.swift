import Foundation
import Logging
import Synchronization

/// Watches what media servers publish: one polling task per `discovery` source. A stream that
/// starts publishing is watched at the next poll; one that stops is released at the next poll.
/// A source that cannot be polled is reported (log, metric, ``statuses()``) and its streams stay
/// watched: a server's statistics page going down says nothing about its streams.
final class StreamDiscovery: Sendable {
    private let client: DiscoveryClient
    private let supervisor: StreamSupervisor
    private let pipeline: AlertPipeline
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
        client: DiscoveryClient, supervisor: StreamSupervisor, pipeline: AlertPipeline, metrics: DaemonMetrics,
        clock: any Clock<Duration>, logger: Logger
    ) {
        self.client = client
        self.supervisor = supervisor
        self.pipeline = pipeline
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// Polls exactly `specs` from now on: a source removed or changed stops and releases its
    /// streams, a new or changed one starts polling at once.
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
            for spec in supervisor.specs where spec.origin == .discovery(poller.spec.name) { await release(spec.id) }
            metrics.discoveryUp(source: poller.spec.name).set(0)
            metrics.discoveryStreams(source: poller.spec.name).set(0)
            logger.notice("discovery source removed; its streams are released", metadata: ["source": "\(poller.spec.name)"])
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
        let published: [PublishedStream]
        do {
            published = try await client.published(spec)
        } catch {
            guard !Task.isCancelled else { return }
            failed(spec, error)
            return
        }
        guard !Task.isCancelled else { return }
        let origin = StreamSpec.Origin.discovery(spec.name)
        let watching = supervisor.specs
        let maxStreams = state.withLock { $0.maxStreams }
        let plan = DiscoveryPlan.make(source: spec, published: published, watching: watching, room: maxStreams - watching.count)
        for id in plan.stop {
            await release(id)
            logger.info("discovered stream no longer published; released", metadata: ["source": "\(spec.name)", "stream": "\(id)"])
        }
        var refused = plan.refused
        for stream in plan.start {
            guard !Task.isCancelled, supervisor.start(stream) else {
                refused[stream.id] = "not started: the daemon is stopping, or the id was taken meanwhile"
                continue
            }
            logger.info("discovered stream watched", metadata: ["source": "\(spec.name)", "stream": "\(stream.id)"])
        }
        let count = supervisor.specs.filter { $0.origin == origin }.count
        let (recovered, newlyRefused) = state.withLock { state -> (Int, [String]) in
            guard var status = state.statuses[spec.name] else { return (0, []) }
            let previous = Set(status.refused.map(\.stream))
            let recovered = status.failures
            status.healthy = true
            status.failures = 0
            status.lastError = nil
            status.lastPoll = Date()
            status.streams = count
            status.refused = refused.keys.sorted().map { DiscoveryStatus.Refusal(stream: $0, reason: refused[$0] ?? "") }
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
        metrics.discoveryStreams(source: spec.name).set(count)
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

    /// Stops reading a stream and closes its open incident.
    private func release(_ id: String) async {
        await supervisor.stop(id: id)
        await pipeline.streamRemoved(id)
    }
}
