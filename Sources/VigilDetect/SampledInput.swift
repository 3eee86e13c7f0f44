import VigilMedia

/// What ``InputScanner`` reads an input through: a ``StreamSession`` in this process, or the same
/// session run in a child process that sends its frames back (the daemon's scan jobs read
/// uploads that way, where a decoder crash costs the job and not the daemon).
public protocol SampledInput: Sendable {
    /// The sampled frames, in order; the sequence throws the error that ended the reading.
    associatedtype Frames: AsyncSequence & Sendable where Frames.Element == Frame
    /// What the input is, once opened; throws why it could not be.
    func opened() async throws(MediaError) -> MediaInfo
    /// The frames; iterated once.
    var frames: Frames { get }
    /// What the input is, nil before it opened.
    var info: MediaInfo? { get }
    /// Asks for the pictures at the request's times too (see ``StreamSession/focus(_:)``).
    func focus(_ request: FocusRequest)
    /// The consumer is done with the frame it took last (see ``StreamSession/acknowledge()``).
    func acknowledge()
    /// Stops reading.
    func stop()
}

extension StreamSession: SampledInput {}
