/// One lease round of one node, the statements only: renew (with the heartbeat), census, then
/// the claims or offers ``LeasePlanner`` decides. ``FleetCoordinator`` runs it every round and
/// starts and stops streams to match; the fleet benchmark runs it for simulated nodes.
public struct LeaseRound: Sendable {
    /// What a round found and did.
    public struct Outcome: Sendable {
        /// The streams the node holds after the round (renewed and newly claimed).
        public var held: [StreamSpec]
        /// The census the plan was made on.
        public var census: LeasePlanner.Census
        /// The plan carried out.
        public var plan: LeasePlanner.Plan
    }

    /// The node's lease statements.
    public var leases: StreamLeases
    /// The node's planner.
    public var planner: LeasePlanner

    /// A round for the node of `leases`.
    public init(leases: StreamLeases, planner: LeasePlanner) {
        self.leases = leases
        self.planner = planner
    }

    /// Runs the round; with `claims` false the node only renews (and neither claims nor offers).
    public func run(claims: Bool = true) async throws(ClusterError) -> Outcome {
        let renewed = try await leases.renew()
        let census = try await leases.census()
        var plan = planner.plan(held: renewed.count, offered: renewed.count { $0.offered }, census: census)
        if !claims { plan = .init(claim: 0, offer: 0) }
        var held = renewed.map(\.spec)
        held += try await leases.claim(plan.claim)
        try await leases.offer(plan.offer)
        if plan.withdraw { try await leases.withdrawOffers() }
        return Outcome(held: held, census: census, plan: plan)
    }
}
