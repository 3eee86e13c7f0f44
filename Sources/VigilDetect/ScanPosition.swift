/// How far a scan has got through one input: what ``InputScanner/onProgress`` reports after each
/// hashed frame, for a progress display.
public struct ScanPosition: Sendable, Equatable {
    /// The input, without credentials.
    public var input: String
    /// Media time of the frame just hashed, in seconds.
    public var seconds: Double
    /// The input's duration when it is known (files); nil for live streams.
    public var duration: Double?
    /// Frames hashed so far.
    public var framesHashed: Int

    /// Creates a position.
    public init(input: String, seconds: Double, duration: Double?, framesHashed: Int) {
        self.input = input
        self.seconds = seconds
        self.duration = duration
        self.framesHashed = framesHashed
    }
}
