import VigilMatch

/// One bank entry a frame came near, as the incident policy needs it.
public struct MatchCandidate: Sendable {
    /// The bank's name.
    public var bank: String
    /// What the incident is about within the bank: the entry's reference for image entries, the
    /// known video's id for frames of a known video (a clip matches many of its frames, and they
    /// all belong to one incident).
    public var subject: String
    /// The entry as alerts name it.
    public var entry: Alert.Entry
    /// Hamming distance between the frame and the entry.
    public var distance: Int
    /// The known video and the bank's video rule, when the entry is a frame of a known video.
    public var video: KnownVideo?

    /// Creates a candidate.
    public init(bank: String, subject: String, entry: Alert.Entry, distance: Int, video: KnownVideo? = nil) {
        self.bank = bank
        self.subject = subject
        self.entry = entry
        self.distance = distance
        self.video = video
    }

    /// Turns a matcher result into a candidate: image entries are their own subject; video frames
    /// stand for their known video.
    public init(_ match: BankMatch, matcher: BankMatcher) {
        if !match.entry.isImage, let frame = match.entry.video, let video = matcher.bank.video(id: frame.videoID) {
            self.init(
                bank: match.bank, subject: "video:" + video.id,
                entry: Alert.Entry(id: video.id, label: match.entry.label),
                distance: match.distance, video: KnownVideo(video: video, rule: matcher.videoRule))
        } else {
            let reference = match.entry.reference
            self.init(
                bank: match.bank, subject: "entry:" + reference,
                entry: Alert.Entry(id: reference, label: match.entry.label), distance: match.distance)
        }
    }
}

/// A known video and the rule that compares streams with it.
public struct KnownVideo: Sendable {
    /// The known video's frames.
    public var video: BankVideo
    /// The bank's frame threshold and quality floor, as a vPDQ rule.
    public var rule: VideoMatchRule

    /// Pairs a video with its rule.
    public init(video: BankVideo, rule: VideoMatchRule) {
        self.video = video
        self.rule = rule
    }
}
