import Foundation

/// A fleet's discovered streams: written to the fleet's stream table (origin
/// `discovery:<source>`), from which the lease rounds hand them to nodes with room, like any
/// other stream. Every node keeps polling every source, so discovery lives on while one node
/// does; but a node polls only when it takes the turn in the table (no poll taken in the last
/// half interval), so about one poll per interval reaches the media server however many nodes
/// run. A failed turn is handed back, so every node sees an outage for itself. A poll older than
/// one already applied by another node changes nothing, so nodes never undo each other's fresher
/// view.
struct FleetDiscoveredStreams: DiscoveredStreams {
    let leases: StreamLeases

    func follow(_ source: DiscoverySpec, published: [PublishedStream], polledAt: Date, maxStreams: Int) async throws(DiscoveryError) -> DiscoveryOutcome {
        let wanted = DiscoveryPlan.wanted(source: source, published: published)
        let applied: StreamLeases.DiscoveryApplied?
        do {
            applied = try await leases.applyDiscovery(source: source.name, streams: wanted.streams, polledAt: polledAt)
        } catch {
            throw DiscoveryError(source: source.name, "the fleet database cannot take the streams: \(error)")
        }
        guard let applied else { return DiscoveryOutcome(superseded: true) }
        var outcome = DiscoveryOutcome(started: applied.added, stopped: applied.removed, refused: wanted.refused, watched: applied.watched)
        for id in applied.taken { outcome.refused[id] = "a stream of another origin has the id \(id)" }
        return outcome
    }

    func pollTaken(of source: String, at now: Date, freshness: TimeInterval) async -> PollTurn? {
        let cutoff = now.addingTimeInterval(-freshness)
        // A table that cannot tell lets this node poll.
        return (try? await leases.claimDiscoveryPoll(source: source, now: now, cutoff: cutoff)) ?? nil
    }

    func turnFailed(of source: String, takenAt: Date, freshness: TimeInterval) async {
        try? await leases.releaseDiscoveryPoll(source: source, takenAt: takenAt, staleAt: takenAt.addingTimeInterval(-freshness))
    }

    /// The source left this node's config: its streams leave the table. A node whose config still
    /// lists the source puts them back at its next poll, so the fleet follows the last reload.
    func release(source: String) async {
        _ = try? await leases.applyDiscovery(source: source, streams: [], polledAt: Date())
    }
}
