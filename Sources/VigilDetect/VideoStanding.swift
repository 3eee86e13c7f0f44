import VigilMatch

/// Where an input stands against one known video: the video rule's result over the input's
/// samples so far. `vigil scan` prints it in its verdict; the daemon copies it into the alert.
public struct VideoStanding: Sendable, Equatable {
    /// The bank holding the known video.
    public var bank: String
    /// The known video's id.
    public var videoID: String
    /// The bank's label for the video's entries, if it gave one.
    public var label: String?
    /// The rule's result over the samples so far (the best dihedral variant).
    public var result: VideoMatchResult
    /// True once the rule has matched at any point of the input. A verdict never takes a match
    /// back, so the daemon (which acts on the first match) and a replay (which judges at the end)
    /// agree.
    public var isMatch: Bool
    /// Sampled moments near a frame of the video.
    public var framesMatched: Int
    /// Smallest distance between a sample and a frame of the video so far.
    public var bestDistance: Int
    /// Distance of the latest sample when it came within the video rule's
    /// ``VigilMatch/VideoMatchRule/alignedThreshold`` of the video; nil when it did not.
    public var latestDistance: Int?
    /// Media time (seconds) of the sample at which the rule first matched; nil until it has.
    public var matchedAt: Double?
}
