import Foundation
import VigilDetect
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
    /// The way back to the frame's source, if it listens.
    public var feedback: SampleFeedback?

    /// Creates a job.
    public init(stream: String, source: String, frame: Frame, observedAt: Date, feedback: SampleFeedback? = nil) {
        self.stream = stream
        self.source = source
        self.frame = frame
        self.observedAt = observedAt
        self.feedback = feedback
    }
}

/// A stream's sample after hashing: the stream it came from and the hashed frame. Pixels are gone.
public struct StreamSample: Sendable {
    /// The stream's id.
    public var stream: String
    /// The stream's source URL.
    public var source: String
    /// When the frame reached the pipeline.
    public var observedAt: Date
    /// The frame's hashes.
    public var frame: HashedFrame
    /// The way back to the frame's source, if it listens.
    public var feedback: SampleFeedback?

    /// Creates a sample.
    public init(stream: String, source: String, observedAt: Date, frame: HashedFrame, feedback: SampleFeedback? = nil) {
        self.stream = stream
        self.source = source
        self.observedAt = observedAt
        self.frame = frame
        self.feedback = feedback
    }
}
