import VigilHash

/// A query video frame as the video-level rule needs it: its hash and quality.
public struct VideoMatchFrame: Sendable, Hashable {
    /// The frame's PDQ hash.
    public var hash: PDQHash
    /// PDQ quality, 0...100.
    public var quality: Int

    /// Creates a frame.
    public init(hash: PDQHash, quality: Int) {
        self.hash = hash
        self.quality = quality
    }
}

extension VideoFrameHash {
    /// The frame as the match rule sees it.
    public var matchFrame: VideoMatchFrame {
        VideoMatchFrame(hash: hash, quality: quality)
    }
}
