import Foundation

/// A sink's queue at a glance, for the API and metrics.
public struct SinkSummary: Sendable, Equatable, Codable {
    /// The sink's name.
    public var sink: String
    /// Alerts not delivered yet.
    public var pending: Int
    /// Alerts delivered.
    public var delivered: Int
    /// Alerts given up on.
    public var dead: Int
    /// When the oldest pending alert was committed.
    public var oldestPendingSince: Date?
    /// Why the head of the queue last failed, if it did.
    public var lastError: String?
    /// Whether the sink is in the configuration; the rows of one that was removed stay until
    /// dropped (`DELETE /v1/sinks/{name}`).
    public var configured: Bool = true

    /// Creates a summary.
    public init(sink: String, pending: Int, delivered: Int, dead: Int, oldestPendingSince: Date? = nil, lastError: String? = nil) {
        self.sink = sink
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
        self.oldestPendingSince = oldestPendingSince
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case sink, pending, delivered, dead
        case oldestPendingSince = "oldest_pending_since"
        case lastError = "last_error"
        case configured
    }
}
