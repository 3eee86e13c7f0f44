/// The `cluster` section: this node is one of a fleet sharing one PostgreSQL database.
public struct ClusterConfig: Sendable, Equatable {
    /// The fleet's database.
    public var database: ClusterDatabaseURL
    /// This node's id, unique in the fleet; defaults to the host name.
    public var nodeID: String
    /// Seconds a lease lasts unrenewed: a dead node's streams move after at most this.
    public var leaseTTL: Double = 10
    /// Most streams this node holds at once.
    public var maxStreams: Int = 200

    /// Creates a cluster config.
    public init(database: ClusterDatabaseURL, nodeID: String, leaseTTL: Double = 10, maxStreams: Int = 200) {
        self.database = database
        self.nodeID = nodeID
        self.leaseTTL = leaseTTL
        self.maxStreams = maxStreams
    }

    /// Seconds between two lease rounds (renewal, census, claims): a tenth of the TTL, so a lease
    /// survives several failed renewals, and at most 1 s, so released streams move quickly.
    public var roundInterval: Double { min(1, max(0.05, leaseTTL / 10)) }
}
