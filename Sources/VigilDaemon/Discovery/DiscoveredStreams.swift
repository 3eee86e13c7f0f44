import Foundation

/// Where discovered streams are watched: this node's own streams, or, in a fleet, the fleet's
/// stream table, from which the lease rounds hand them to nodes.
protocol DiscoveredStreams: Sendable {
    /// Makes `source`'s watched streams those `published` asks for, as polled at `polledAt`.
    func follow(_ source: DiscoverySpec, published: [PublishedStream], polledAt: Date, maxStreams: Int) async throws(DiscoveryError) -> DiscoveryOutcome

    /// Stops watching every stream of the source named (removed from the config).
    func release(source: String) async

    /// The latest poll of `source` applied by any node, with the streams of the source it left
    /// watched: in a fleet, a node skips its own poll when another polled moments ago. Nil on a
    /// single node, and when it cannot be known (then the node polls).
    func latestPoll(of source: String) async -> AppliedPoll?
}

/// A poll of a discovery source that some node of a fleet applied.
struct AppliedPoll: Sendable, Equatable {
    var polledAt: Date
    /// The source's streams the fleet watches after it.
    var watched: Int
}

/// What applying one poll changed.
struct DiscoveryOutcome: Sendable, Equatable {
    /// Ids now watched for the first time.
    var started: [String] = []
    /// Ids released.
    var stopped: [String] = []
    /// Published streams not followed, by id, with why.
    var refused: [String: String] = [:]
    /// Streams of the source watched after the poll.
    var watched = 0
    /// Whether the poll was older than one another node already applied (a fleet), so nothing
    /// changed and nothing here is known: the source's status keeps what it showed.
    var superseded = false
}
