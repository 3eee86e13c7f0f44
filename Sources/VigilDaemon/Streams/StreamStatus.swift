import Foundation
import VigilMedia

/// A stream's configuration, state and counters, as the API shows them.
public struct StreamStatus: Sendable, Codable, Equatable {
    /// The stream's id.
    public var id: String
    /// Its source URL.
    public var url: String
    /// `keyframes`, `interval` or `every-frame`.
    public var sampling: String
    /// Seconds between hashed frames with interval sampling.
    public var intervalSeconds: Double?
    /// Where the stream was defined.
    public var origin: StreamSpec.Origin
    /// Where its session stands.
    public var state: StreamState
    /// Since when.
    public var stateSince: Date
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
    /// Seconds between the last two key frames.
    public var keyframeGapSeconds: Double?
    /// When the last frame arrived.
    public var lastFrameAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, url, sampling, origin, state, detail, reconnects, stalls
        case intervalSeconds = "interval_seconds"
        case stateSince = "state_since"
        case framesIn = "frames_in"
        case framesSampled = "frames_sampled"
        case framesDropped = "frames_dropped"
        case decodeErrors = "decode_errors"
        case keyframeGapSeconds = "keyframe_gap_seconds"
        case lastFrameAt = "last_frame_at"
    }

    init(spec: StreamSpec, now: Date) {
        id = spec.id
        url = spec.url
        sampling = spec.sampling.name
        if case .interval(let seconds) = spec.sampling { intervalSeconds = seconds }
        origin = spec.origin
        state = .connecting
        stateSince = now
    }
}
