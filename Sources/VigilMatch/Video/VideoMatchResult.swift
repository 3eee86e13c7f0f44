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
    /// Whether the rule matched: both percentages reach their thresholds and at least one frame
    /// matched, or (where the rule looks at time) a run of frames did.
    public var isMatch: Bool
    /// Longest run of query frames near distinct known frames in the known video's order and
    /// pace (``VideoMatchRule/alignedFrames``); 0 where time was not looked at.
    public var alignedFrames: Int

    /// Creates a result.
    public init(
        videoID: String, queryPercent: Double, comparedPercent: Double, queryFrames: Int, comparedFrames: Int, isMatch: Bool,
        alignedFrames: Int = 0
    ) {
        self.videoID = videoID
        self.alignedFrames = alignedFrames
        self.queryPercent = queryPercent
        self.comparedPercent = comparedPercent
        self.queryFrames = queryFrames
        self.comparedFrames = comparedFrames
        self.isMatch = isMatch
    }
}
