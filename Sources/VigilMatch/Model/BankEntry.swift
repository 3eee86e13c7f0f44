import VigilHash

/// One distinct known hash, with everything the bank's files said about it.
///
/// When several lines (in one file or several) carry the same hash they become one entry, so a
/// match reports every id and every source line at once.
public struct BankEntry: Sendable {
    /// The hash.
    public var hash: PDQHash
    /// The ids of every line that carried this hash, in load order, without repeats. Empty when
    /// the lines had no `id` column.
    public var ids: [String]
    /// The first label any of the merged lines gave.
    public var label: String?
    /// The highest quality any of the merged lines gave, nil when none gave one. The highest,
    /// because the hash is as trustworthy as the best observation of it.
    public var quality: Int?
    /// The other CSV columns, by column name. When merged lines disagree on a column, the distinct
    /// values are kept in load order, joined with `" | "`, so no value is lost.
    public var metadata: [String: String]
    /// Every line that carried this hash, in load order.
    public var sources: [SourceLocation]
    /// Every known video frame with this hash (static scenes repeat a hash across many frames and
    /// videos), in load order. Empty for image hashes.
    public var videoFrames: [VideoFrameRef]

    /// The first video frame with this hash, nil for image hashes.
    public var video: VideoFrameRef? { videoFrames.first }

    /// Creates an entry.
    public init(
        hash: PDQHash,
        ids: [String] = [],
        label: String? = nil,
        quality: Int? = nil,
        metadata: [String: String] = [:],
        sources: [SourceLocation] = [],
        videoFrames: [VideoFrameRef] = []
    ) {
        self.hash = hash
        self.ids = ids
        self.label = label
        self.quality = quality
        self.metadata = metadata
        self.sources = sources
        self.videoFrames = videoFrames
    }
}
