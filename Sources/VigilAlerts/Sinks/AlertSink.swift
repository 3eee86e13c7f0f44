import Foundation

/// Somewhere alerts go: a webhook, a file, standard output.
///
/// A sink is handed one alert at a time, in outbox order, by its own ``DeliveryWorker``; it never
/// sees the next alert before the current one succeeded or was given up on. Returning normally
/// means the alert is safely handed over; throwing means it was not, and it will be tried again.
public protocol AlertSink: Sendable {
    /// Unique among the daemon's sinks; deliveries are recorded under it, so it must stay the same
    /// across restarts for pending alerts to be picked up again.
    var name: String { get }

    /// Hands one alert over.
    func deliver(_ delivery: OutgoingAlert) async throws
}

/// One try at handing an alert to a sink.
public struct OutgoingAlert: Sendable {
    /// The alert's id.
    public var alertID: AlertID
    /// The alert's JSON, identical on every try.
    public var body: Data
    /// 1 for the first try.
    public var attempt: Int
    /// Receivers use it to drop repeats (the alert id).
    public var idempotencyKey: String

    /// Creates a try.
    public init(alertID: AlertID, body: Data, attempt: Int, idempotencyKey: String) {
        self.alertID = alertID
        self.body = body
        self.attempt = attempt
        self.idempotencyKey = idempotencyKey
    }
}
