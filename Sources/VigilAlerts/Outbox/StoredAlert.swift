/// An alert in the outbox with its delivery state at every sink.
public struct StoredAlert: Sendable, Equatable {
    /// The alert; for a match, the incident's current state (frames matched, last seen... keep
    /// changing while it is open).
    public var alert: RaisedAlert
    /// One record per sink the alert was committed for, in sink order.
    public var deliveries: [DeliveryRecord]

    /// Creates a stored alert.
    public init(alert: RaisedAlert, deliveries: [DeliveryRecord]) {
        self.alert = alert
        self.deliveries = deliveries
    }
}
