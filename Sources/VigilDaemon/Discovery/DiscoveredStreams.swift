import Foundation

/// Where discovered streams are watched: this node's own streams, or, in a fleet, the fleet's
/// stream table, from which the lease rounds hand them to nodes.
protocol DiscoveredStreams: Sendable {
    /// Makes `source`'s watched streams those `published` asks for, as polled at `polledAt`.
    func follow(_ source: DiscoverySpec, published: [PublishedStream], polledAt: Date, maxStreams: Int) async throws(DiscoveryError) -> DiscoveryOutcome

    /// Stops watching every stream of the source named (removed from the config).
    func release(source: String) async

    /// Whether this node polls `source` now (nil), which a single node always does. In a fleet,
    /// the first node to ask once the latest turn is older than `freshness` takes the turn; the
    /// others get that turn's time and the streams the table holds, and skip. When the table
    /// cannot tell, the node polls.
    func pollTaken(of source: String, at now: Date, freshness: TimeInterval) async -> PollTurn?

    /// This node's turn, taken at `takenAt`, failed: handed back so that other nodes poll at once.
    func turnFailed(of source: String, takenAt: Date, freshness: TimeInterval) async
}

/// The latest turn at polling a discovery source, taken by another node of a fleet.
public struct PollTurn: Sendable, Equatable {
    /// When the turn was taken.
    public var polledAt: Date
    /// The source's streams the fleet's table holds.
    public var watched: Int
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
