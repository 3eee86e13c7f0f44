import Foundation
import VigilHash
import VigilMedia

/// A frame waiting to be hashed.
public struct HashJob: Sendable {
    /// The stream's id.
    public var stream: String
    /// The stream's source URL (copied into alerts).
    public var source: String
    /// The decoded frame.
    public var frame: Frame
    /// When the frame reached the pipeline.
    public var observedAt: Date

    /// Creates a job.
    public init(stream: String, source: String, frame: Frame, observedAt: Date) {
        self.stream = stream
        self.source = source
        self.frame = frame
        self.observedAt = observedAt
    }
}

/// A hashed frame: everything about it the daemon keeps. The pixels are gone by now.
public struct HashedFrame: Sendable {
    /// The stream's id.
    public var stream: String
    /// The stream's source URL.
    public var source: String
    /// Presentation time in seconds.
    public var ptsSeconds: Double
    /// Whether the frame was a key frame.
    public var keyframe: Bool
    /// When the frame reached the pipeline.
    public var observedAt: Date
    /// The PDQ hash.
    public var hash: PDQHash
    /// The PDQ quality.
    public var quality: Int
}
