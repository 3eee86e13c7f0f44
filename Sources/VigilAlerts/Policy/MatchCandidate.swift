/// A bank entry or known video a stream's sample came near, or a known video the stream is being
/// judged against, as the incident policy needs it.
public struct MatchCandidate: Sendable {
    /// The bank's name.
    public var bank: String
    /// What the incident is about within the bank: `entry:<reference>` for an image entry,
    /// `video:<id>` for a known video (a clip matches many of its frames, and they all belong to
    /// one incident).
    public var subject: String
    /// The entry as alerts name it.
    public var entry: Alert.Entry
    /// Hamming distance between this sample and the entry (the nearest frame of a known video);
    /// nil when this sample did not come near it (a known video's standing reported anyway).
    public var distance: Int?
    /// For a known video: the stream's standing against it, from the shared detection path.
    public var video: VideoProgress?

    /// Creates a candidate.
    public init(bank: String, subject: String, entry: Alert.Entry, distance: Int?, video: VideoProgress? = nil) {
        self.bank = bank
        self.subject = subject
        self.entry = entry
        self.distance = distance
        self.video = video
    }

    /// The subject of an image entry's incidents.
    public static func subject(entry reference: String) -> String { "entry:" + reference }
    /// The subject of a known video's incidents.
    public static func subject(video id: String) -> String { "video:" + id }
}

extension Alert {
    /// What the alert's incident is about, as ``MatchCandidate/subject`` keys it: a known video
    /// when the alert carries a video match, an image entry otherwise.
    public var subject: String {
        videoMatch == nil ? MatchCandidate.subject(entry: entry.id) : MatchCandidate.subject(video: entry.id)
    }
}

/// A stream's standing against one known video, as the alert shows it.
public struct VideoProgress: Sendable, Equatable {
    /// Whether the video rule has matched (the incident may open).
    public var isMatch: Bool
    /// Share of the stream's samples near the known video (best window), percent.
    public var queryPercent: Double
    /// Share of the known video's frames near some sample, percent.
    public var comparedPercent: Double
    /// Samples near the known video.
    public var framesMatched: Int

    /// Creates a standing.
    public init(isMatch: Bool, queryPercent: Double, comparedPercent: Double, framesMatched: Int) {
        self.isMatch = isMatch
        self.queryPercent = queryPercent
        self.comparedPercent = comparedPercent
        self.framesMatched = framesMatched
    }
}
