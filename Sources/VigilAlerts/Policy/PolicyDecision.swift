/// What the incident policy made of an observation.
public enum PolicyDecision: Sendable, Equatable {
    /// A new incident: raise this alert (commit it to the outbox, then deliver it).
    case open(Alert)
    /// An open incident saw another matching frame: store its new state; no new alert.
    case update(Alert)

    /// The alert in either case.
    public var alert: Alert {
        switch self {
        case .open(let alert), .update(let alert): return alert
        }
    }
}
