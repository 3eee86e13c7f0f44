import VigilHash

/// A video frame as the video-level rule needs it: its hash, quality and, where known, its time.
public struct VideoMatchFrame: Sendable, Hashable {
    /// The frame's PDQ hash.
    public var hash: PDQHash
    /// PDQ quality, 0...100.
    public var quality: Int
    /// Seconds from the start of its video; without it, the frame takes no part in temporal
    /// alignment.
    public var time: Double?

    /// Creates a frame.
    public init(hash: PDQHash, quality: Int, time: Double? = nil) {
        self.hash = hash
        self.quality = quality
        self.time = time
    }
}

extension VideoFrameHash {
    /// The frame as the match rule sees it.
    public var matchFrame: VideoMatchFrame {
        VideoMatchFrame(hash: hash, quality: quality, time: timestampSeconds)
    }
}
