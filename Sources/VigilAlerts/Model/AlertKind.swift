/// What an alert is about; every alert's JSON carries it as `"kind"`.
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    /// A stream showed frames near a known bank entry (``Alert``).
    case match
    /// A stream could not be sampled for too long, or can be again (``StreamHealthAlert``).
    case streamHealth = "stream_health"
    /// A file stream's bytes are exactly a known file (``FileMatchAlert``).
    case fileMatch = "file_match"
}
