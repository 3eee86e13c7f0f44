import VigilMatch

/// What detection concluded about one input (a file, a URL, or a stream so far).
public struct Verdict: Sendable {
    /// The input.
    public var input: String
    /// Sampled moments hashed (a frame and its cropped copy are one moment).
    public var framesHashed = 0
    /// Moments with at least one match, in any bank.
    public var framesMatched = 0
    /// Moments matching a still-image entry: each a finding on its own.
    public var imageMatches = 0
    /// Known videos this input matched by the video-level rule.
    public var videoMatches: [VideoStanding] = []
    /// Known videos a sample came near (within the rule's aligned threshold) without the rule
    /// matching: what an analyst reviews next, and the margin a threshold has on unrelated input.
    public var nearVideos: [VideoStanding] = []
    /// Moments an allow entry silenced (it was at least as near as any known entry), by the
    /// allow entry's bank.
    public var suppressions: [String: Int] = [:]
    /// Known files whose MD5 equals the input's: exact copies, found before any decoding.
    public var fileMatches: [FileMatch] = []

    /// Creates an empty verdict for `input`.
    public init(input: String) {
        self.input = input
    }

    /// Whether the input matched anything: a still image, or a known video by the video rule.
    public var matched: Bool { imageMatches > 0 || !videoMatches.isEmpty || !fileMatches.isEmpty }
}
