/// Where a stream's session stands, as the API and metrics report it. The names follow
/// VigilMedia's `StreamState`, plus `stopped` for a stream the daemon stopped itself.
public enum StreamRunState: String, Sendable, Codable, CaseIterable {
    /// Opening the source.
    case connecting
    /// Frames are arriving.
    case live
    /// No frame came for too long; the source is being reopened.
    case stalled
    /// The source ended or failed; waiting before the next try.
    case backoff
    /// The source ended for good (a file reached its end; files are not reopened).
    case ended
    /// The session gave up: an error reconnecting cannot fix.
    case failed
    /// Stopped (deleted, or the daemon is shutting down).
    case stopped
}
