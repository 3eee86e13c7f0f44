import Foundation
import VigilHash

/// A hashed frame of a stream and the bank entries it came near (none for most frames).
///
/// The policy sees every hashed frame, not just matching ones, because video-level percentages
/// count the stream's non-matching frames too.
public struct FrameObservation: Sendable {
    /// The stream's id.
    public var stream: String
    /// The stream's source URL.
    public var source: String
    /// The frame's PDQ hash.
    public var hash: PDQHash
    /// The frame's PDQ quality.
    public var quality: Int
    /// Presentation time in seconds.
    public var ptsSeconds: Double
    /// Whether the frame is a key frame.
    public var keyframe: Bool
    /// When the decoded frame reached the pipeline; the policy's notion of "now".
    public var observedAt: Date
    /// Entries within their bank's threshold, any order.
    public var candidates: [MatchCandidate]
    /// The scan job the frame belongs to; nil for a stream's frame.
    public var scan: ScanReference?

    /// Creates an observation.
    public init(
        stream: String, source: String, hash: PDQHash, quality: Int, ptsSeconds: Double, keyframe: Bool,
        observedAt: Date, candidates: [MatchCandidate], scan: ScanReference? = nil
    ) {
        self.stream = stream
        self.source = source
        self.hash = hash
        self.quality = quality
        self.ptsSeconds = ptsSeconds
        self.keyframe = keyframe
        self.observedAt = observedAt
        self.candidates = candidates
        self.scan = scan
    }
}
