import Foundation

/// A single node's discovered streams: started and stopped on its own supervisor.
struct LocalDiscoveredStreams: DiscoveredStreams {
    let supervisor: StreamSupervisor
    let pipeline: AlertPipeline

    func follow(_ source: DiscoverySpec, published: [PublishedStream], polledAt: Date, maxStreams: Int) async throws(DiscoveryError) -> DiscoveryOutcome {
        let watching = supervisor.specs
        let plan = DiscoveryPlan.make(source: source, published: published, watching: watching, room: maxStreams - watching.count)
        var outcome = DiscoveryOutcome(stopped: plan.stop, refused: plan.refused)
        for id in plan.stop { await release(id) }
        for stream in plan.start {
            guard !Task.isCancelled, supervisor.start(stream) else {
                outcome.refused[stream.id] = "not started: the daemon is stopping, or the id was taken meanwhile"
                continue
            }
            outcome.started.append(stream.id)
        }
        outcome.watched = supervisor.specs.count { $0.origin == .discovery(source.name) }
        return outcome
    }

    /// A single node polls every time.
    func pollTaken(of source: String, at now: Date, freshness: TimeInterval) async -> PollTurn? { nil }

    func turnFailed(of source: String, takenAt: Date, freshness: TimeInterval) async {}

    func release(source: String) async {
        for spec in supervisor.specs where spec.origin == .discovery(source) { await release(spec.id) }
    }

    /// Stops reading a stream and closes its open incident.
    private func release(_ id: String) async {
        await supervisor.stop(id: id)
        await pipeline.streamRemoved(id)
    }
}
