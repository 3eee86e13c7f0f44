import VigilHash

/// A set of known hashes, loaded from one or more files, with duplicates merged.
public struct Bank: Sendable {
    /// The bank's name, for reports.
    public var name: String
    /// One entry per distinct hash, in order of first appearance.
    public let entries: BankEntries
    /// The known videos, in load order.
    public var videos: [BankVideo]
    /// Known files by MD5 (exact copies), keyed by the digest's lowercase hex.
    public var fileDigests: [String: FileDigestEntry]
    /// What loading read and produced.
    public var stats: BankStats

    /// Creates a bank. Entries must carry distinct hashes; when two carry the same hash the later
    /// one is ignored by `entry(for:)`, so merge duplicates first (the loader does).
    public init(
        name: String, entries: [BankEntry], videos: [BankVideo] = [], fileDigests: [FileDigestEntry] = [], stats: BankStats = BankStats()
    ) {
        self.init(
            name: name, entries: BankEntries(entries), videos: videos,
            fileDigests: Dictionary(fileDigests.map { ($0.md5, $0) }, uniquingKeysWith: { first, _ in first }), stats: stats)
    }

    init(name: String, entries: BankEntries, videos: [BankVideo], fileDigests: [String: FileDigestEntry], stats: BankStats) {
        self.name = name
        self.entries = entries
        self.videos = videos
        self.fileDigests = fileDigests
        self.stats = stats
    }

    /// The entry with exactly this hash, if any. A scan of the hashes, for reports and tests:
    /// searches by distance go through a ``BankMatcher``'s index.
    public func entry(for hash: PDQHash) -> BankEntry? {
        entries.hashes.firstIndex(of: hash).map { entries[$0] }
    }

    /// The video with this id, if any.
    public func video(id: String) -> BankVideo? {
        videos.first { $0.id == id }
    }
}
