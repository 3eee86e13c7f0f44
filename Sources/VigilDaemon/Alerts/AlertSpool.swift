import VigilAlerts

/// Where the alert pipeline keeps alerts the outbox cannot take right now, durably, until it can:
/// a fleet node's fleet database out of reach (``DatabaseAlertSpool``, in the node's own state
/// database), or a single node's state database full or locked (``FileAlertSpool``, in space
/// reserved at start).
public protocol AlertSpool: Sendable {
    /// Keeps `alert` (again: a repeat is a no-op), durably, before returning.
    func add(_ alert: RaisedAlert) async throws
    /// The spooled alerts, in the order they were raised.
    func alerts() async throws -> [RaisedAlert]
    /// Forgets a spooled alert (committed to the outbox, or raised elsewhere).
    func remove(_ id: AlertID) async throws
}
