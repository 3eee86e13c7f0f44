import Foundation

/// The durable queue between alert policy and sinks, wherever it lives: ``Outbox`` (SQLite, one
/// node) or a fleet's PostgreSQL. Delivery workers, the daemon and its API use only this.
///
/// Contract for every implementation: an alert enqueued is durable before `enqueue` returns; a
/// delivery leaves `pending` only when its sink acknowledged it or it was dead-lettered; a sink's
/// records come out of ``head(sink:)`` in `sequence` order; every try of one alert to one sink
/// carries the same idempotency key.
public protocol AlertOutbox: Sendable {
    /// Commits `alert` with a pending delivery for each of `sinks`; a repeat of the same alert id
    /// is a no-op. Returns false when nothing was committed because the alert's incident was
    /// raised already: a fleet's outbox keys incidents across nodes, and every outbox keeps one
    /// alert per entry for a scan job over all its attempts and for a file's match
    /// (``RaisedAlert/isOncePerEntry``).
    @discardableResult
    func enqueue(_ alert: RaisedAlert, sinks: [String], now: Date) async throws(OutboxError) -> Bool
    /// Stores open incidents' new states (what sinks deliver stays the alert as first raised).
    func update(_ alerts: [Alert]) async throws(OutboxError)
    /// Records that the sink acknowledged the delivery.
    func markDelivered(_ sequence: Int64, at now: Date) async throws(OutboxError)
    /// Records a failed try and when to try again.
    func markFailed(_ sequence: Int64, error: String, retryAt: Date, at now: Date) async throws(OutboxError)
    /// Gives up on a delivery; `countAttempt` when a try just failed.
    func markDead(_ sequence: Int64, error: String, countAttempt: Bool, at now: Date) async throws(OutboxError)
    /// Puts `sink`'s dead letters back in its queue (only those of alerts `from` through
    /// `through`, inclusive, when given), due at `now`, with their first order kept (the queue is
    /// in commit order); returns how many.
    func requeueDead(sink: String, from: AlertID?, through: AlertID?, at now: Date) async throws(OutboxError) -> Int
    /// Deletes every delivery record of `sink` — one no longer configured, whose pending rows
    /// would otherwise wait forever; returns how many were pending or dead.
    func dropSink(_ sink: String) async throws(OutboxError) -> Int
    /// Deletes alerts committed before `cutoff` that have nothing left to deliver (each of their
    /// deliveries delivered, or none left), with their delivery records; returns how many.
    /// Pending and dead deliveries are never pruned.
    func prune(committedBefore cutoff: Date) async throws(OutboxError) -> Int
    /// The oldest pending delivery of `sink`, the only one it may try; nil when there is none, or
    /// (in a fleet) while another node delivers for the sink.
    func head(sink: String) async throws(OutboxError) -> PendingDelivery?
    /// Alerts with ids after `after` (all when nil), oldest first, at most `limit`.
    func alerts(after: AlertID?, limit: Int) async throws(OutboxError) -> [StoredAlert]
    /// One alert and its deliveries, nil when unknown.
    func alert(_ id: AlertID) async throws(OutboxError) -> StoredAlert?
    /// Every sink that has deliveries, with its counts.
    func sinkSummaries() async throws(OutboxError) -> [SinkSummary]
    /// Pending deliveries of `sink`.
    func pendingCount(sink: String) async throws(OutboxError) -> Int
    /// Every delivery record of an alert.
    func deliveries(of id: AlertID) async throws(OutboxError) -> [DeliveryRecord]
}

extension AlertOutbox {
    /// Commits a match alert; see ``enqueue(_:sinks:now:)``.
    @discardableResult
    public func enqueue(_ alert: Alert, sinks: [String], now: Date = Date()) async throws(OutboxError) -> Bool {
        try await enqueue(.match(alert), sinks: sinks, now: now)
    }
}
