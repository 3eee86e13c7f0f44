/// A snapshot of what a ``StreamSession`` has done so far. All counts cover the whole session,
/// across reconnects.
public struct StreamCounters: Sendable, Equatable, Codable {
    /// Connection attempts after the first.
    public var reconnects = 0
    /// Times the stall watchdog fired (no video packet within the stall timeout).
    public var stalls = 0
    /// Compressed bytes of the video stream read.
    public var bytes = 0
    /// Video packets read.
    public var packets = 0
    /// Video packets flagged as key frames.
    public var keyframes = 0
    /// Pictures decoded.
    public var decodedFrames = 0
    /// Frames handed to the frame buffer (cropped copies included).
    public var sampledFrames = 0
    /// Packets or pictures the decoder rejected.
    public var decodeErrors = 0
    /// Frames discarded because the consumer fell behind (the freshest frame wins).
    public var droppedFrames = 0
    /// Sampled pictures dropped as near-identical to the previous one.
    public var nearDuplicatesDropped = 0
    /// Cropped copies emitted for pictures with letterbox or pillarbox borders (the content and
    /// the standard shapes around it) or an inset picture.
    public var croppedFrames = 0
    /// Times key frames stopped coming and the reader fell back to interval sampling.
    public var keyframeFallbacks = 0
    /// Timestamp discontinuities (resets, wraps, jumps) absorbed by the timeline.
    public var discontinuities = 0
    /// Mid-stream changes of picture size or codec.
    public var formatChanges = 0
    /// Times a focus request started dense decoding (see ``StreamSession/focus(_:)``).
    public var focusBursts = 0
    /// Pictures sampled because a focus request asked for their time.
    public var focusSamples = 0
    /// Focus times the reader had already passed when the request came.
    public var focusMissed = 0
    /// Live video packets over the size limit, skipped (a file fails on one instead).
    public var oversizedPackets = 0
    /// Decoded pictures of a live source skipped for being over the size or memory limits.
    public var oversizedPictures = 0
    /// URLs the source tried to make FFmpeg open with a protocol outside its whitelist.
    public var refusedOpens = 0
    /// The most recent of those URLs (at most 16), oldest first.
    public var refusedURLs: [String] = []
    /// Not a count: whether the reader decodes every picture now (a key-frame gap fallback, a
    /// focus burst, scene detection) rather than key frames alone, which sets how many decoded
    /// pictures it may hold.
    public var decodesEveryPicture = false

    /// Creates zeroed counters.
    public init() {}

    /// These counts and `later`'s together: one stream's counts across sessions that each
    /// started from zero (an ingest process and the one that replaced it). The decoding mode is
    /// `later`'s.
    public func adding(_ later: StreamCounters) -> StreamCounters {
        var sum = later
        let numbers: [WritableKeyPath<StreamCounters, Int>] = [
            \.reconnects, \.stalls, \.bytes, \.packets, \.keyframes, \.decodedFrames, \.sampledFrames, \.decodeErrors,
            \.droppedFrames, \.nearDuplicatesDropped, \.croppedFrames, \.keyframeFallbacks, \.discontinuities,
            \.formatChanges, \.focusBursts, \.focusSamples, \.focusMissed, \.oversizedPackets, \.oversizedPictures,
            \.refusedOpens,
        ]
        for number in numbers { sum[keyPath: number] += self[keyPath: number] }
        sum.refusedURLs = Array((refusedURLs + later.refusedURLs).suffix(16))
        return sum
    }
}
