import Foundation

/// A stream Vigil cannot sample although its source answers (a picture over the size limits, a
/// codec or input Vigil refuses, packets it skips), or the first picture after such a spell.
///
/// The people who control a stream can try to switch watching off by sending what Vigil refuses;
/// this alert tells the operator within `alerts.unwatchable_after` instead of letting the stream go
/// quiet. Like every alert it carries no pixels: a stream id, a redacted source, times and a reason.
public struct StreamHealthAlert: Codable, Sendable, Equatable {
    /// Sortable unique id, from the same generator as match alerts.
    public var id: AlertID
    /// The stream's id.
    public var stream: String
    /// The stream's source URL without credentials.
    public var source: String
    /// Whether the stream became unwatchable or recovered.
    public var state: State
    /// Why it could not be sampled (the latest fault), or, for `recovered`, why it could not be
    /// before. Never names the source's URL.
    public var reason: String
    /// For `unwatchable`: since when no picture was sampled (the last sample, or when watching
    /// began). For `recovered`: when the first picture after the spell was sampled.
    public var since: Date
    /// When Vigil raised the alert.
    public var raisedAt: Date

    /// The two health states an alert reports.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// No picture sampled for `unwatchable_after` while the source kept answering.
        case unwatchable
        /// Pictures are sampled again.
        case recovered
    }

    /// Creates a stream-health alert.
    public init(id: AlertID, stream: String, source: String, state: State, reason: String, since: Date, raisedAt: Date) {
        self.id = id
        self.stream = stream
        self.source = source
        self.state = state
        self.reason = reason
        self.since = since
        self.raisedAt = raisedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, stream, source, state, reason, since
        case raisedAt = "raised_at"
    }
}
