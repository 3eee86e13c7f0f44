import VigilHash

/// One hashed frame of a known video: a vPDQ line.
public struct VideoFrameHash: Sendable, Hashable {
    /// The frame's PDQ hash.
    public var hash: PDQHash
    /// PDQ quality, 0...100; frames below 50 carry too little detail to match reliably.
    public var quality: Int
    /// The frame number from the vPDQ line.
    public var frameNumber: Int
    /// Presentation time in seconds from the start of the video.
    public var timestampSeconds: Double

    /// Creates a frame hash.
    public init(hash: PDQHash, quality: Int, frameNumber: Int, timestampSeconds: Double) {
        self.hash = hash
        self.quality = quality
        self.frameNumber = frameNumber
        self.timestampSeconds = timestampSeconds
    }
}
