import VigilDaemon

/// One look at the fleet: who holds how many streams under a live lease (from the table), and
/// which streams the live nodes would read (from their last rounds), judged against what
/// ``LeasePlanner`` aims for.
struct FleetState {
    /// Streams under a live lease, by node, from the table.
    var counts: [String: Int]
    /// The nodes running rounds.
    var live: [SimulatedNode]
    /// Streams in the fleet.
    var streams: Int
    /// Most streams a node holds.
    var maxStreams: Int

    /// Streams held by live nodes. A stream has one `node` column, so this is every stream
    /// with exactly one holder that is alive.
    var heldByLive: Int { live.reduce(0) { $0 + counts[$1.id, default: 0] } }

    /// Whether every stream is held by a live node: none orphaned, none left with a dead node.
    var allHeld: Bool { heldByLive == streams }

    /// The planner's fair share with the live nodes: `ceil(streams / nodes)`, at most `maxStreams`.
    var target: Int { min(maxStreams, (streams + live.count - 1) / max(1, live.count)) }

    /// The fewest and most streams a live node holds.
    var fewest: Int { live.map { counts[$0.id, default: 0] }.min() ?? 0 }
    var most: Int { live.map { counts[$0.id, default: 0] }.max() ?? 0 }

    /// Whether every live node holds within the fair share ± (1 + ``LeasePlanner/slack``).
    var balanced: Bool {
        let margin = 1 + LeasePlanner.slack
        return allHeld && fewest >= target - margin && most <= target + margin
    }

    /// Streams in the live nodes' own views that two or more of them would read at once (a
    /// stream handed over stays with its old node until that node's next renewal) and streams
    /// none of them would read.
    func views() -> (readTwice: Int, unread: Int) {
        var readers: [String: Int] = [:]
        readers.reserveCapacity(streams)
        for node in live {
            for stream in node.held { readers[stream, default: 0] += 1 }
        }
        return (readers.values.count { $0 > 1 }, streams - readers.count)
    }
}
