import Foundation

/// One alert's delivery to one sink, as stored in the outbox.
public struct DeliveryRecord: Sendable, Equatable, Codable {
    /// Position in the outbox; a sink delivers its records in increasing `sequence`.
    public var sequence: Int64
    /// The alert.
    public var alertID: AlertID
    /// The sink's name.
    public var sink: String
    /// Where the delivery stands.
    public var state: DeliveryState
    /// Tries so far.
    public var attempts: Int
    /// When the alert was committed to the outbox.
    public var enqueuedAt: Date
    /// Earliest time of the next try (pending records only).
    public var nextAttemptAt: Date
    /// When the last try was made.
    public var lastAttemptAt: Date?
    /// When the sink acknowledged it.
    public var deliveredAt: Date?
    /// Why the last try failed.
    public var lastError: String?

    /// Creates a record (outboxes build them from their rows).
    public init(
        sequence: Int64, alertID: AlertID, sink: String, state: DeliveryState, attempts: Int, enqueuedAt: Date,
        nextAttemptAt: Date, lastAttemptAt: Date?, deliveredAt: Date?, lastError: String?
    ) {
        self.sequence = sequence
        self.alertID = alertID
        self.sink = sink
        self.state = state
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }

    /// A failure as every outbox stores it in ``lastError``: receivers can answer with whole
    /// pages, so at most 500 characters.
    public static func storedError(_ text: String) -> String {
        text.count <= 500 ? text : String(text.prefix(500)) + "…"
    }

    /// The key a sink uses to let receivers drop repeats: every try of one alert to one sink
    /// carries the same key, and different alerts never share one.
    public var idempotencyKey: String { alertID.rawValue }

    enum CodingKeys: String, CodingKey {
        case sequence, sink, state, attempts
        case alertID = "alert_id"
        case enqueuedAt = "enqueued_at"
        case nextAttemptAt = "next_attempt_at"
        case lastAttemptAt = "last_attempt_at"
        case deliveredAt = "delivered_at"
        case lastError = "last_error"
    }
}

/// The next record a sink must deliver, with the bytes to send.
public struct PendingDelivery: Sendable, Equatable {
    /// The stored record.
    public var record: DeliveryRecord
    /// The alert's JSON as first raised: every try sends exactly these bytes.
    public var body: Data

    /// Creates a pending delivery.
    public init(record: DeliveryRecord, body: Data) {
        self.record = record
        self.body = body
    }
}
