import Foundation
import VigilMedia

/// A stream's configuration, state and counters, as the API shows them.
public struct StreamStatus: Sendable, Codable, Equatable {
    /// The stream's id.
    public var id: String
    /// Its source URL, credentials masked (``RedactedURL``): statuses are shown to clients.
    public var url: String
    /// `keyframes`, `interval` or `every-frame`.
    public var sampling: String
    /// Seconds between hashed frames with interval sampling.
    public var intervalSeconds: Double?
    /// Where the stream was defined.
    public var origin: StreamSpec.Origin
    /// Where its session stands; nil when this node does not read the stream (in a fleet, another
    /// node does, or none yet): ask the node named in ``node``.
    public var state: StreamState?
    /// Since when.
    public var stateSince: Date?
    /// In a fleet, the node reading the stream under a live lease; nil when none does, and for a
    /// single node.
    public var node: String?
    /// Why it is in that state, when there is a reason (the last error, "end of file"...).
    public var detail: String?
    /// Frames the source delivered.
    public var framesIn = 0
    /// Frames hashed.
    public var framesSampled = 0
    /// Frames dropped before hashing (reader behind, or a fresher frame replaced them).
    public var framesDropped = 0
    /// Reconnections.
    public var reconnects = 0
    /// Stalls.
    public var stalls = 0
    /// Packets the decoder rejected.
    public var decodeErrors = 0
    /// Packets skipped for being over the size limit.
    public var packetsSkipped = 0
    /// Pictures skipped for being over the size or memory limits.
    public var picturesSkipped = 0
    /// Seconds between the last two key frames.
    public var keyframeGapSeconds: Double?
    /// When the last frame arrived.
    public var lastFrameAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, url, sampling, origin, state, detail, reconnects, stalls, node
        case intervalSeconds = "interval_seconds"
        case stateSince = "state_since"
        case framesIn = "frames_in"
        case framesSampled = "frames_sampled"
        case framesDropped = "frames_dropped"
        case decodeErrors = "decode_errors"
        case packetsSkipped = "packets_skipped"
        case picturesSkipped = "pictures_skipped"
        case keyframeGapSeconds = "keyframe_gap_seconds"
        case lastFrameAt = "last_frame_at"
    }

    /// Encodes every key, `null` included: a client can tell "no node" from "no fleet field".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(sampling, forKey: .sampling)
        try container.encodeIfPresent(intervalSeconds, forKey: .intervalSeconds)
        try container.encode(origin, forKey: .origin)
        try container.encode(node, forKey: .node)
        try container.encode(state, forKey: .state)
        try container.encode(stateSince, forKey: .stateSince)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encode(framesIn, forKey: .framesIn)
        try container.encode(framesSampled, forKey: .framesSampled)
        try container.encode(framesDropped, forKey: .framesDropped)
        try container.encode(reconnects, forKey: .reconnects)
        try container.encode(stalls, forKey: .stalls)
        try container.encode(decodeErrors, forKey: .decodeErrors)
        try container.encode(packetsSkipped, forKey: .packetsSkipped)
        try container.encode(picturesSkipped, forKey: .picturesSkipped)
        try container.encodeIfPresent(keyframeGapSeconds, forKey: .keyframeGapSeconds)
        try container.encodeIfPresent(lastFrameAt, forKey: .lastFrameAt)
    }

    /// The status as API clients see it. A stream added over the API reports why it is not
    /// read only as "unreachable": its URL came from a client, and the full reason (a refused
    /// connection, a timeout, what the far end answered) would let that client probe hosts and
    /// ports through the daemon. The daemon's log keeps the full reason.
    public func shownToClients() -> StreamStatus {
        guard origin == .api, detail != nil, state != .live else { return self }
        var status = self
        status.detail = "unreachable"
        return status
    }

    /// A stream this node does not read: its spec and the node that does, if any.
    init(spec: StreamSpec, heldBy node: String?) {
        id = spec.id
        url = RedactedURL(spec.url).description
        sampling = spec.sampling.name
        if case .interval(let seconds) = spec.sampling { intervalSeconds = seconds }
        origin = spec.origin
        self.node = node
    }

    init(spec: StreamSpec, now: Date) {
        self.init(spec: spec, heldBy: nil)
        state = .connecting
        stateSince = now
    }
}
