/// A bank entry's place in a known video: which video, and which frame of it.
public struct VideoFrameRef: Sendable, Hashable {
    /// The `BankVideo.id` of the video the frame belongs to.
    public var videoID: String
    /// The frame number from the vPDQ line (0-based in vPDQ output).
    public var frameNumber: Int
    /// The frame's presentation time in seconds from the start of the video.
    public var timestampSeconds: Double

    /// Creates a reference.
    public init(videoID: String, frameNumber: Int, timestampSeconds: Double) {
        self.videoID = videoID
        self.frameNumber = frameNumber
        self.timestampSeconds = timestampSeconds
    }
}
