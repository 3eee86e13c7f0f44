import VigilMatch

/// What scanning one input concluded.
struct ScanVerdict: Sendable {
    var input: String
    var framesHashed = 0
    /// Frames with at least one match, in any bank.
    var framesMatched = 0
    /// Frames matching a still-image entry: each a finding on its own.
    var imageMatches = 0
    /// Known videos this input matched by the video-level rule.
    var videoMatches: [(bank: String, result: VideoMatchResult)] = []

    var matched: Bool { imageMatches > 0 || !videoMatches.isEmpty }
}
