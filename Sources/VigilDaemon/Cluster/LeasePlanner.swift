/// Decides, each lease round, how many streams a node claims or offers, from what it holds and a
/// census of the fleet. Pure: the fleet tests and the lease benchmark drive it without a database.
///
/// - A node under its fair share (`ceil(streams / nodes up)`, at most `max_streams`) claims up
///   to it, a few at a time (``step(target:)``), taking orphaned streams (no live lease) first and
///   then streams other nodes offer — and only when the census saw some to take, so a node under
///   its share in a fleet with nothing to hand over costs no statement.
/// - Orphaned streams are claimed even past the fair share, by every node a share of them, so that
///   no stream stays unread while any node has room.
/// - While the lightest node up is under the fair share and this node holds more than one stream
///   plus ``slack`` above it, this node offers: its excess over the share, a few at a time, or one
///   stream when it holds no more than the share (streams need not all sit above the share for a
///   fleet to be unbalanced: 88 nodes at a share of 112 plus one may leave the 90th with none).
///   An offered stream is read by its node until another takes it: handing over may briefly have
///   two readers, never none. Offers left when the fleet is balanced again are withdrawn.
public struct LeasePlanner: Sendable, Equatable {
    /// The fleet as one round's census sees it.
    public struct Census: Sendable, Equatable {
        /// Streams in the fleet.
        public var streams: Int
        /// Streams with no live lease.
        public var orphaned: Int
        /// Nodes up (heartbeat within the lease TTL).
        public var nodesUp: Int
        /// The fewest streams a node up holds.
        public var fewestHeld: Int
        /// Streams offered by the node reading them (under a live lease).
        public var offered: Int

        /// Creates a census.
        public init(streams: Int, orphaned: Int, nodesUp: Int, fewestHeld: Int, offered: Int = 0) {
            self.streams = streams
            self.orphaned = orphaned
            self.nodesUp = nodesUp
            self.fewestHeld = fewestHeld
            self.offered = offered
        }
    }

    /// What to do this round.
    public struct Plan: Sendable, Equatable {
        /// Streams to claim (orphaned first, then offered).
        public var claim: Int
        /// Streams of ours to offer.
        public var offer: Int
        /// Whether to withdraw our standing offers: the fleet no longer needs them.
        public var withdraw: Bool

        /// Creates a plan.
        public init(claim: Int, offer: Int, withdraw: Bool = false) {
            self.claim = claim
            self.offer = offer
            self.withdraw = withdraw
        }
    }

    /// Streams above the fair share a node keeps without offering: balance within one stream
    /// (the rounding of the share) plus this.
    public static let slack = 1
    /// Most streams claimed in one statement.
    public static let claimBatch = 500

    /// Most streams this node holds.
    public var maxStreams: Int

    /// Creates a planner for a node holding at most `maxStreams`.
    public init(maxStreams: Int) {
        self.maxStreams = maxStreams
    }

    /// The fair share of a node in `census`.
    public func target(_ census: Census) -> Int {
        let nodes = max(1, census.nodesUp)
        return min(maxStreams, (census.streams + nodes - 1) / nodes)
    }

    /// "A few at a time": a fifth of the share, at least 2, so a joining node fills up over about
    /// five rounds, taking a little from many nodes rather than much from one.
    public static func step(target: Int) -> Int { max(2, target / 5) }

    /// This round's claims and offers for a node holding `held` streams, `offered` of them offered.
    public func plan(held: Int, offered: Int, census: Census) -> Plan {
        let target = target(census)
        let room = max(0, maxStreams - held)
        var claim = 0
        if held < target, census.orphaned + census.offered > 0 {
            claim = min(target - held, Self.step(target: target))
        }
        if census.orphaned > 0 {
            // Orphans are taken whatever the balance: each node up takes its share of them.
            let share = (census.orphaned + max(1, census.nodesUp) - 1) / max(1, census.nodesUp)
            claim = max(claim, min(census.orphaned, max(share, target - held)))
        }
        claim = min(claim, room, Self.claimBatch)
        let needed = census.fewestHeld < target && held - census.fewestHeld > 1 + Self.slack
        guard needed else { return Plan(claim: claim, offer: 0, withdraw: offered > 0) }
        let excess = held > target ? min(held - target, Self.step(target: target)) : 1
        return Plan(claim: claim, offer: max(0, excess - offered))
    }
}
