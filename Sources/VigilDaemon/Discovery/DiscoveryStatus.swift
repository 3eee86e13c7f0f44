import Foundation
import VigilMedia

/// A discovery source as `GET /v1/discovery` shows it.
public struct DiscoveryStatus: Sendable, Codable, Equatable {
    /// A published stream the source does not follow, and why.
    public struct Refusal: Sendable, Codable, Equatable {
        /// The id it would have had.
        public var stream: String
        /// Why it is not watched.
        public var reason: String
    }

    /// The source's name.
    public var name: String
    /// `nginx-rtmp`, `mediamtx` or `srs`.
    public var kind: DiscoverySpec.Kind
    /// The URL polled, credentials masked.
    public var url: String
    /// Whether the last poll succeeded. A source that is down keeps its streams watched.
    public var healthy: Bool
    /// Streams of this source being watched.
    public var streams: Int
    /// When the last poll ended; nil before the first.
    public var lastPoll: Date?
    /// Why the last poll failed; nil when it succeeded.
    public var lastError: String?
    /// Polls that failed in a row.
    public var failures: Int
    /// Published streams not followed.
    public var refused: [Refusal]

    enum CodingKeys: String, CodingKey {
        case name, kind, url, healthy, streams, failures, refused
        case lastPoll = "last_poll"
        case lastError = "last_error"
    }

    /// Encodes every key, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(url, forKey: .url)
        try container.encode(healthy, forKey: .healthy)
        try container.encode(streams, forKey: .streams)
        try container.encode(lastPoll, forKey: .lastPoll)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(failures, forKey: .failures)
        try container.encode(refused, forKey: .refused)
    }

    /// A source not polled yet.
    init(spec: DiscoverySpec) {
        name = spec.name
        kind = spec.kind
        url = RedactedURL(spec.url).description
        healthy = false
        streams = 0
        failures = 0
        refused = []
    }
}
