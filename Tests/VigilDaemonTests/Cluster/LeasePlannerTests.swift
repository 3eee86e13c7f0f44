import Testing
import VigilDaemon

/// The fair-share decisions, simulated round by round over a fleet without a database.
@Suite("Lease planner: fair shares, orphans first, a few at a time")
struct LeasePlannerTests {
    /// A fleet of nodes holding streams, stepped in rounds: each node in turn applies its plan
    /// (claims take orphans first, then offered streams), as the lease statements would.
    struct Fleet {
        var held: [Int]
        var offered: [Int]
        var orphaned: Int
        var maxStreams: Int

        var census: LeasePlanner.Census {
            LeasePlanner.Census(
                streams: held.reduce(0, +) + orphaned, orphaned: orphaned, nodesUp: held.count, fewestHeld: held.min() ?? 0,
                offered: offered.reduce(0, +))
        }

        /// Claims that found nothing to take, over every round so far (each a wasted statement).
        var emptyClaims = 0

        /// One round; returns the most any node took in it.
        mutating func round() -> Int {
            var mostTaken = 0
            for node in held.indices {
                let plan = LeasePlanner(maxStreams: maxStreams).plan(held: held[node], offered: offered[node], census: census)
                var wanted = plan.claim
                let fromOrphans = min(wanted, orphaned)
                orphaned -= fromOrphans
                wanted -= fromOrphans
                var taken = fromOrphans
                for other in held.indices where other != node && wanted > 0 {
                    let moved = min(wanted, offered[other])
                    offered[other] -= moved
                    held[other] -= moved
                    wanted -= moved
                    taken += moved
                }
                held[node] += taken
                if plan.claim > 0 && taken == 0 { emptyClaims += 1 }
                if plan.withdraw { offered[node] = 0 }
                offered[node] += plan.offer
                mostTaken = max(mostTaken, taken - fromOrphans)
            }
            return mostTaken
        }
    }

    @Test("cold start: 3 nodes share 30 streams 10 each, every stream read after the first round")
    func coldStart() {
        var fleet = Fleet(held: [0, 0, 0], offered: [0, 0, 0], orphaned: 30, maxStreams: 200)
        _ = fleet.round()
        #expect(fleet.orphaned == 0)
        for _ in 0..<10 { _ = fleet.round() }
        #expect(fleet.held == [10, 10, 10])
    }

    @Test("a node that joins receives streams a few at a time until balanced within one plus the slack")
    func joining() {
        var fleet = Fleet(held: [50, 50, 0], offered: [0, 0, 0], orphaned: 0, maxStreams: 200)
        var rounds = 0
        var largestMove = 0
        while (fleet.held.max()! - fleet.held.min()!) > 1 + LeasePlanner.slack && rounds < 50 {
            largestMove = max(largestMove, fleet.round())
            rounds += 1
        }
        #expect(rounds < 50, "\(fleet.held)")
        #expect(fleet.held.reduce(0, +) == 100)
        #expect(largestMove <= LeasePlanner.step(target: 34), "a joiner takes a few at a time, never all at once")
        #expect(rounds > 1)
    }

    @Test("orphans of a dead node are taken by the others at once, past their fair share if need be")
    func orphansFirst() {
        // Two nodes left up; the third's 40 streams lost their lease.
        var fleet = Fleet(held: [40, 40], offered: [0, 0], orphaned: 40, maxStreams: 200)
        _ = fleet.round()
        #expect(fleet.orphaned == 0)
        #expect(fleet.held.reduce(0, +) == 120)
    }

    @Test("max_streams is never exceeded, even with orphans left")
    func capacity() {
        var fleet = Fleet(held: [0, 0], offered: [0, 0], orphaned: 50, maxStreams: 20)
        for _ in 0..<5 { _ = fleet.round() }
        #expect(fleet.held == [20, 20])
        #expect(fleet.orphaned == 10)
    }

    @Test("a balanced fleet neither claims nor offers, and withdraws offers it no longer needs")
    func steady() {
        let planner = LeasePlanner(maxStreams: 200)
        let census = LeasePlanner.Census(streams: 31, orphaned: 0, nodesUp: 3, fewestHeld: 10)
        #expect(planner.plan(held: 11, offered: 0, census: census) == .init(claim: 0, offer: 0))
        #expect(planner.plan(held: 10, offered: 0, census: census) == .init(claim: 0, offer: 0), "nothing to take: no statement")
        #expect(planner.plan(held: 11, offered: 2, census: census) == .init(claim: 0, offer: 0, withdraw: true))
        var offering = census
        offering.offered = 1
        #expect(planner.plan(held: 10, offered: 0, census: offering) == .init(claim: 1, offer: 0))
    }

    @Test("a fleet where every node holds its share or one more still hands streams to a node with none")
    func unevenAfterAKill() {
        // 10,000 streams on 90 nodes: a share of 112. 88 nodes at 113 and one at 56 leave the
        // 90th (just restarted) with none, while no node is more than one above the share.
        var fleet = Fleet(held: Array(repeating: 113, count: 88) + [56, 0], offered: Array(repeating: 0, count: 90), orphaned: 0, maxStreams: 200)
        var rounds = 0
        while (fleet.held.max()! - fleet.held.min()!) > 1 + LeasePlanner.slack && rounds < 200 {
            _ = fleet.round()
            rounds += 1
        }
        #expect(rounds < 200, "\(fleet.held.min()!)...\(fleet.held.max()!)")
        #expect(fleet.held.reduce(0, +) == 10_000)
        // Balanced again, the offers left over are withdrawn and nobody claims in vain.
        for _ in 0..<3 { _ = fleet.round() }
        #expect(fleet.offered.allSatisfy { $0 == 0 })
        let empty = fleet.emptyClaims
        for _ in 0..<10 { _ = fleet.round() }
        #expect(fleet.emptyClaims == empty, "a balanced fleet issues no claims")
        #expect((fleet.held.max()! - fleet.held.min()!) <= 1 + LeasePlanner.slack)
    }

    @Test("a fleet at exactly its share everywhere but one empty node fills that node")
    func evenButOneEmpty() {
        // 72 streams on 10 nodes: a share of 8, held by 9 nodes; no node is above the share.
        var fleet = Fleet(held: Array(repeating: 8, count: 9) + [0], offered: Array(repeating: 0, count: 10), orphaned: 0, maxStreams: 200)
        for _ in 0..<20 { _ = fleet.round() }
        #expect((fleet.held.max()! - fleet.held.min()!) <= 1 + LeasePlanner.slack, "\(fleet.held)")
        #expect(fleet.held.reduce(0, +) == 72)
    }
}
