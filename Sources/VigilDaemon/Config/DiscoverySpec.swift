import Foundation

/// One media server whose published streams the daemon watches (the `discovery` section).
///
/// Discovery polls the server's own statistics API; it never sits in the publishing path, so a
/// daemon that is down or slow never stops anyone publishing.
public struct DiscoverySpec: Sendable, Equatable {
    /// Which server, and so which statistics API.
    public enum Kind: String, Sendable, Equatable, CaseIterable, Codable {
        /// nginx's RTMP module: the XML of its `rtmp_stat` page.
        case nginxRTMP = "nginx-rtmp"
        /// MediaMTX: `GET /v3/paths/list`.
        case mediamtx
        /// SRS: `GET /api/v1/streams/`.
        case srs
    }

    /// The source's name: discovered streams carry `discovery:<name>` as their origin.
    public var name: String
    /// Which server it is.
    public var kind: Kind
    /// The statistics URL (nginx-rtmp: the page itself) or the API's base URL (MediaMTX, SRS).
    public var url: String
    /// The URL a published stream is read from, with `{app}` and `{name}` put in.
    public var playURL: String
    /// Seconds between two polls.
    public var interval: Double = 2

    /// Creates a spec.
    public init(name: String, kind: Kind, url: String, playURL: String, interval: Double = 2) {
        self.name = name
        self.kind = kind
        self.url = url
        self.playURL = playURL
        self.interval = interval
    }

    /// The placeholders `play_url` may hold.
    public static let placeholders = ["{app}", "{name}"]

    /// Longest a poll may take: a server that answers slower is reported down for that poll.
    var pollTimeout: Double { min(10, max(1, interval)) }
}
