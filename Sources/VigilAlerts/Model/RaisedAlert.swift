import Foundation

/// An alert of any kind, as the outbox stores it and sinks and the API hand it on.
///
/// Its JSON is the alert's own object with `"kind"` added (`docs/alert.schema.json`). Alerts
/// stored before kinds existed have no `"kind"`; they decode as matches.
public enum RaisedAlert: Codable, Sendable, Equatable {
    /// A match against a bank entry.
    case match(Alert)
    /// A stream that cannot be sampled, or can be again.
    case streamHealth(StreamHealthAlert)
    /// A file stream that is exactly a known file.
    case fileMatch(FileMatchAlert)

    /// The alert's id.
    public var id: AlertID {
        switch self {
        case .match(let alert): alert.id
        case .streamHealth(let alert): alert.id
        case .fileMatch(let alert): alert.id
        }
    }

    /// The stream the alert is about.
    public var stream: String {
        switch self {
        case .match(let alert): alert.stream
        case .streamHealth(let alert): alert.stream
        case .fileMatch(let alert): alert.stream
        }
    }

    /// Which kind of alert this is.
    public var kind: AlertKind {
        switch self {
        case .match: .match
        case .streamHealth: .streamHealth
        case .fileMatch: .fileMatch
        }
    }

    /// The match, when this is one.
    public var match: Alert? {
        if case .match(let alert) = self { return alert }
        return nil
    }

    /// Whether the alert is about a fixed input, so that one alert per bank entry is all it may
    /// raise, for good: any alert of a scan job (a recording read to its end), and a file match
    /// (a fact about a file's bytes). The outbox keeps the first alert of the stream for an entry
    /// and commits no second one under a new id when a job is read again (its node crashed or
    /// stopped mid-read) or a file stream starts again (a restart).
    public var isOncePerEntry: Bool { kind == .fileMatch || ScanReference.isScanStream(stream) }

    /// The bank the alert names (a match's or a file match's); nil for stream health.
    public var bank: String? {
        switch self {
        case .match(let alert): alert.bank
        case .fileMatch(let alert): alert.bank
        case .streamHealth: nil
        }
    }

    /// The bank entry's id the alert names; nil for stream health.
    public var entryID: String? {
        switch self {
        case .match(let alert): alert.entry.id
        case .fileMatch(let alert): alert.entry.id
        case .streamHealth: nil
        }
    }

    /// The stream-health report, when this is one.
    public var streamHealth: StreamHealthAlert? {
        if case .streamHealth(let alert) = self { return alert }
        return nil
    }

    private enum KindKey: String, CodingKey {
        case kind
    }

    public init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: KindKey.self).decodeIfPresent(AlertKind.self, forKey: .kind) ?? .match
        switch kind {
        case .match: self = .match(try Alert(from: decoder))
        case .streamHealth: self = .streamHealth(try StreamHealthAlert(from: decoder))
        case .fileMatch: self = .fileMatch(try FileMatchAlert(from: decoder))
        }
    }

    /// Encodes the alert's own fields and `"kind"` in one object.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .match(let alert): try alert.encode(to: encoder)
        case .streamHealth(let alert): try alert.encode(to: encoder)
        case .fileMatch(let alert): try alert.encode(to: encoder)
        }
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(kind, forKey: .kind)
    }
}
