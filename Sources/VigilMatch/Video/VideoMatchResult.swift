/// How much of a query video and a known video match each other, vPDQ style.
public struct VideoMatchResult: Sendable, Hashable {
    /// The known video's id.
    public var videoID: String
    /// Percentage (0...100) of the query's distinct good-quality frames that are near some
    /// good-quality frame of the known video.
    public var queryPercent: Double
    /// Percentage (0...100) of the known video's distinct good-quality frames that are near some
    /// good-quality frame of the query.
    public var comparedPercent: Double
    /// Distinct good-quality query frames: the denominator of `queryPercent`.
    public var queryFrames: Int
    /// Distinct good-quality frames of the known video: the denominator of `comparedPercent`.
    public var comparedFrames: Int
    /// Whether both percentages reach the rule's thresholds and at least one frame matched.
    public var isMatch: Bool

    /// Creates a result.
    public init(videoID: String, queryPercent: Double, comparedPercent: Double, queryFrames: Int, comparedFrames: Int, isMatch: Bool) {
        self.videoID = videoID
        self.queryPercent = queryPercent
        self.comparedPercent = comparedPercent
        self.queryFrames = queryFrames
        self.comparedFrames = comparedFrames
        self.isMatch = isMatch
    }
}
